; bpf_get_smp_processor_id() inlined by the verifier: r0 = &cpu_number; r0 = per-CPU address of it
; (BPF_MOV64_PERCPU_REG: add rax, gs:[&this_cpu_off]); r0 = *(u32 *)(r0 +0)
        call bpf_get_smp_processor_id#8
        exit

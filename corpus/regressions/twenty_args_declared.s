; f's BTF declares 20 arguments and nobody writes a stack argument: 7.2.13 gives btf_prepare_func_args's
; parameter-count line; 6.12 has no stack arguments and takes f as a 1-argument function.
.type sched_cls
.func main args=1
 r1 = 1
 call f
 exit
.func f args=20
 r0 = r1
 exit

#!/usr/bin/env python3
"""Hand check of a catalog kernel + initramfs + agent under QEMU (TCG), independent of the
TypeScript pool: boots the guest, waits for HELLO, and runs a few requests.

  vm-images/agent/test-client.py [--kernel ID] [--loop N] [--crash] [--hang] [--keep-console]

Prints the boot time (QEMU start to HELLO), every response, and the LOOP rate of the
7-argument program f(1,2,3,4,5,600,700) (retval 1315 on kernels with stack arguments).
"""
import argparse, json, os, socket, struct, subprocess, sys, tempfile, time

VM = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATALOG = os.path.join(VM, 'cache', 'catalog.json')

TAGS = {1: 'UNAME', 2: 'AGENT_VERSION', 3: 'PROG_TYPE', 4: 'INSNS', 5: 'BTF', 6: 'FUNC_INFO', 7: 'MAPS',
        8: 'INPUT', 9: 'REPEAT', 10: 'LOG_LEVEL', 11: 'LOG_SIZE', 12: 'WANT_JIT_IMAGE', 13: 'STAGE',
        14: 'ERRNO', 15: 'LOG', 16: 'BTF_LOG', 17: 'RETVAL', 18: 'TEST_ERRNO', 19: 'DURATION_NS',
        20: 'XLATED_LEN', 21: 'JITED_LEN', 22: 'JITED_FUNC_LENS', 23: 'JITED_IMAGE', 24: 'VERIFIED_INSNS',
        25: 'NAME', 26: 'VALUE', 27: 'KIND', 28: 'COUNT', 29: 'ELAPSED_NS', 30: 'MESSAGE'}
NUM = {v: k for k, v in TAGS.items()}
STRINGS = {'UNAME', 'LOG', 'BTF_LOG', 'NAME', 'VALUE', 'MESSAGE'}
SIGNED = {'ERRNO', 'TEST_ERRNO'}


def insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack('<BBhi', code, (src << 4) | dst, off, imm)


def btf_blob(funcs):
    """BTF with one int type and a FUNC_PROTO + static FUNC per (name, nargs)."""
    strings = b'\0'
    def s(x):
        nonlocal strings
        off = len(strings); strings += x.encode() + b'\0'; return off
    types = b''
    int_name = s('long')
    types += struct.pack('<III', int_name, 1 << 24, 8) + struct.pack('<I', (1 << 24) | 64)  # INT signed 64
    tid = 2
    func_ids = []
    for name, nargs in funcs:
        types += struct.pack('<III', 0, (13 << 24) | nargs, 1)  # FUNC_PROTO returning int
        for i in range(nargs):
            types += struct.pack('<II', s(f'a{i}'), 1)
        proto = tid; tid += 1
        types += struct.pack('<III', s(name), (12 << 24), proto)  # FUNC, linkage static
        func_ids.append(tid); tid += 1
    hdr = struct.pack('<HBBIIIII', 0xeB9F, 1, 0, 24, 0, len(types), len(types), len(strings))
    return hdr + types + strings, func_ids


def seven_arg_program(nargs=7):
    """main calls f(1,2,3,4,5,600,700,...) which sums its arguments (r11 stack args)."""
    main = [insn(0xb7, 1, imm=1), insn(0xb7, 2, imm=2), insn(0xb7, 3, imm=3), insn(0xb7, 4, imm=4),
            insn(0xb7, 5, imm=5)]
    for k in range(6, nargs + 1):  # *(u64 *)(r11 - 8*(k-5)) = 100*k
        main.append(insn(0x7a, 11, off=-8 * (k - 5), imm=100 * k))
    call_at = len(main)
    main += [None, insn(0x95)]
    f = [insn(0xbf, 0, 1), insn(0x0f, 0, 2), insn(0x0f, 0, 3), insn(0x0f, 0, 4), insn(0x0f, 0, 5)]
    for k in range(6, nargs + 1):  # r1 = *(u64 *)(r11 + 8*(k-5)); r0 += r1
        f += [insn(0x79, 1, 11, off=8 * (k - 5)), insn(0x0f, 0, 1)]
    f.append(insn(0x95))
    main[call_at] = insn(0x85, 0, 1, imm=len(main) - call_at - 1)  # call pc+N (bpf-to-bpf)
    btf, ids = btf_blob([('main', 1), ('f', nargs)])
    func_info = struct.pack('<IIII', 0, ids[0], len(main), ids[1])
    return b''.join(main + f), btf, func_info


class Guest:
    def __init__(self, kernel_id, console, cpu='qemu64'):
        cat = json.load(open(CATALOG))['kernels'][kernel_id]
        base = os.path.dirname(CATALOG)
        self.dir = tempfile.mkdtemp(prefix='bpfdiff-guest-')
        self.sock_path = os.path.join(self.dir, 'port.sock')
        self.console = console
        args = ['qemu-system-x86_64', '-accel', 'tcg', '-cpu', cpu, '-m', '512', '-smp', '1',
                '-nodefaults', '-no-reboot', '-display', 'none', '-monitor', 'none',
                '-kernel', os.path.join(base, cat['kernelImage']),
                '-initrd', os.path.join(base, cat['initramfs']),
                '-append', 'console=ttyS0 panic=-1 oops=panic',
                '-serial', f'file:{console}',
                '-device', 'virtio-serial-pci',
                '-chardev', f'socket,id=bpfdiff,path={self.sock_path},server=on,wait=off',
                '-device', 'virtserialport,chardev=bpfdiff,name=bpfdiff']
        self.t0 = time.monotonic()
        self.qemu = subprocess.Popen(args)
        for _ in range(200):
            if os.path.exists(self.sock_path): break
            time.sleep(0.02)
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(self.sock_path)
        self.buf = b''
        self.next_id = 1

    def recv_frame(self, timeout=60):
        self.sock.settimeout(timeout)
        while True:
            if len(self.buf) >= 4:
                (n,) = struct.unpack_from('<I', self.buf)
                if len(self.buf) >= 4 + n:
                    frame, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    return self.decode(frame)
            chunk = self.sock.recv(1 << 20)
            if not chunk: raise EOFError('port closed')
            self.buf += chunk

    @staticmethod
    def decode(frame):
        fid, ftype = struct.unpack_from('<IH', frame)
        fields, p = {}, 8
        while p < len(frame):
            tag, _, n = struct.unpack_from('<HHI', frame, p)
            v = frame[p + 8:p + 8 + n]; p += 8 + n
            name = TAGS.get(tag, str(tag))
            if name in STRINGS: v = v.decode(errors='replace')
            elif name == 'JITED_FUNC_LENS': v = list(struct.unpack(f'<{n // 4}I', v))
            elif n == 4: v = struct.unpack('<i' if name in SIGNED else '<I', v)[0]
            elif n == 8: v = struct.unpack('<Q', v)[0]
            fields[name] = v
        return fid, ftype, fields

    def send(self, mtype, **fields):
        body = b''
        for name, v in fields.items():
            if isinstance(v, int): v = struct.pack('<I', v)
            elif isinstance(v, str): v = v.encode()
            body += struct.pack('<HHI', NUM[name], 0, len(v)) + v
        fid = self.next_id; self.next_id += 1
        self.sock.sendall(struct.pack('<IIHH', 8 + len(body), fid, mtype, 0) + body)
        return fid

    def request(self, mtype, timeout=60, **fields):
        fid = self.send(mtype, **fields)
        rid, rtype, res = self.recv_frame(timeout)
        assert rid == fid, (rid, fid)
        return rtype, res

    def close(self):
        self.qemu.kill(); self.qemu.wait()


def show(label, rtype, res):
    short = {k: (v if not isinstance(v, bytes) else v.hex()[:80]) for k, v in res.items()}
    if isinstance(short.get('LOG'), str) and len(short['LOG']) > 300:
        short['LOG'] = '...' + short['LOG'][-300:]
    print(f'{label}: type=0x{rtype:x} {short}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kernel', default='7.2')
    ap.add_argument('--loop', type=int, default=300)
    ap.add_argument('--crash', action='store_true')
    ap.add_argument('--hang', action='store_true')
    ap.add_argument('--cpu', default='qemu64')
    a = ap.parse_args()
    console = os.path.join(tempfile.gettempdir(), f'bpfdiff-console-{a.kernel}.log')
    g = Guest(a.kernel, console, a.cpu)
    try:
        fid, ftype, hello = g.recv_frame(120)
        boot = time.monotonic() - g.t0
        print(f'HELLO after {boot:.2f}s: id={fid} type={ftype} {hello}')
        show('UNAME', *g.request(4))
        show('SYSCTL', *g.request(3, NAME='net/core/bpf_jit_enable', VALUE='1'))
        tiny = insn(0xb7, 0, imm=42) + insn(0x95)
        show('RUN tiny', *g.request(2, PROG_TYPE=1, INSNS=tiny, WANT_JIT_IMAGE=1))
        prog, btf, fi = seven_arg_program(7)
        show('RUN 7-arg', *g.request(2, PROG_TYPE=3, INSNS=prog, BTF=btf, FUNC_INFO=fi, LOG_LEVEL=1))
        prog13, btf13, fi13 = seven_arg_program(13)
        show('RUN 13-arg', *g.request(2, PROG_TYPE=3, INSNS=prog13, BTF=btf13, FUNC_INFO=fi13))
        # a map: r1 = map[0] fd; r0 = 7; exit
        mp = insn(0x18, 1, 1, imm=0) + insn(0) + insn(0xb7, 0, imm=7) + insn(0x95)
        show('RUN map', *g.request(2, PROG_TYPE=1, INSNS=mp, MAPS=struct.pack('<IIII', 2, 4, 8, 1)))
        show('RUN bad', *g.request(2, PROG_TYPE=1, INSNS=insn(0xb7, 0, imm=1)))
        show('ERROR', *g.request(2, INSNS=tiny))
        if a.loop:
            rtype, res = g.request(6, timeout=600, PROG_TYPE=3, INSNS=prog, BTF=btf, FUNC_INFO=fi,
                                   LOG_LEVEL=2, COUNT=a.loop)
            show('LOOP', rtype, res)
            print(f'LOOP rate: {a.loop / (res["ELAPSED_NS"] / 1e9):.0f} programs/s (log level 2)')
        if a.crash:
            g.send(5, KIND=1)
            g.qemu.wait(60)
            print('crash: qemu exited', g.qemu.returncode)
        if a.hang:
            g.send(5, KIND=2)
            try: g.recv_frame(5); print('hang: unexpected answer')
            except socket.timeout: print('hang: no answer in 5 s, as asked')
    finally:
        g.close()
    tail = open(console, errors='replace').read().splitlines()[-8:]
    print('console tail:\n  ' + '\n  '.join(tail))


if __name__ == '__main__':
    main()

package listener

import "golang.org/x/sys/unix"

// steer makes the kernel send each new connection to one of the sockets of
// slots [0, n), picked at random, and records n. The group's sockets are
// indexed by the kernel in the order they started listening, a removed one
// leaving its place to the last; since slots are only ever added and
// removed at the top, the kernel's index of a socket is its slot.
func (g *Group) steer(n int) {
	g.live = n
	prog := steerProgram(n)
	err := unix.SetsockoptSockFprog(g.socks[0].fd, unix.SOL_SOCKET, unix.SO_ATTACH_REUSEPORT_CBPF,
		&unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]})
	if err != nil {
		g.SteerErr = err
		return
	}
	g.SteerErr = nil
}

// steerProgram is a classic BPF program for SO_ATTACH_REUSEPORT_CBPF that
// returns a random socket index below n: A = random(); A %= n; return A.
func steerProgram(n int) []unix.SockFilter {
	return []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: skfAdRandomK},
		{Code: unix.BPF_ALU | unix.BPF_MOD | unix.BPF_K, K: uint32(n)},
		{Code: unix.BPF_RET | unix.BPF_A},
	}
}

// The ancillary load of a random number in classic BPF (linux/filter.h).
// SKF_AD_OFF (-0x1000) + SKF_AD_RANDOM (56), as the uint32 the kernel reads.
const skfAdRandomK = uint32(0x100000000 - 0x1000 + 56)

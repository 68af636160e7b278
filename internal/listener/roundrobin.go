package listener

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Round robin: new connections go to the serving slots in turn, so that N
// keep-alive clients (a proxy's pool, a load generator) are split N/slots
// each, where a random or hashed pick splits them binomially (64
// connections over 2 slots: 32 ± 4, a max ÷ min of about 1.3 typically,
// and 4 connections over 2 slots all land on one a time in eight).
//
// Classic BPF keeps no state, so round robin needs eBPF: a one-element
// array map holds {next, k, slots[cap]}; the program, attached to the group
// with SO_ATTACH_REUSEPORT_EBPF, takes next with an atomic fetch-and-add
// and returns slots[next % k], the kernel's index of a socket (= its slot,
// see steer). The map is mmap'ed into the master, which rewrites slots and
// k with plain stores when slots open, drain, or lose or regain their
// serving worker: no bpf(2) call after the bind, so it keeps working after
// the privilege drop. A connection that comes while the list is being
// rewritten may go to a slot just taken out: it waits in that slot's queue,
// as every connection did before steering.
//
// Loading the program takes CAP_BPF (or CAP_SYS_ADMIN) while
// kernel.unprivileged_bpf_disabled is set, as it is by default, a kernel of
// at least 5.12 (atomic fetch-and-add) and 5.5 (mmap'able maps). Docker's
// and Kubernetes' default capabilities do not include CAP_BPF: there the
// group falls back to the random pick of steerProgram, and says why in
// RoundRobinErr.

// roundRobin is the master's view of the map's one element.
type roundRobin struct {
	mem   []byte  // the mmap'ed pages holding the element
	k     *uint32 // how many of slots the program spreads over
	slots []uint32
}

// The element's layout: the counter, k, then the slots.
const (
	rrNextOff  = 0
	rrKOff     = 4
	rrSlotsOff = 8
)

// newRoundRobin creates the map and the program for a group of capacity
// sockets, attaches the program to the reuseport group of fd and spreads
// over slots. The map's and the program's fds are closed before it returns:
// the socket holds the program, the mapping holds the map, and no fd is
// left for a worker to inherit.
func newRoundRobin(fd, capacity int, slots []int) (*roundRobin, error) {
	size := rrSlotsOff + 4*capacity
	mapFD, err := bpfMapCreate(size)
	if err != nil {
		return nil, fmt.Errorf("create the BPF map: %w", err)
	}
	defer unix.Close(mapFD)
	page := os.Getpagesize()
	mem, err := unix.Mmap(mapFD, 0, (size+page-1)/page*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap the BPF map: %w", err)
	}
	rr := &roundRobin{
		mem:   mem,
		k:     (*uint32)(unsafe.Pointer(&mem[rrKOff])),
		slots: unsafe.Slice((*uint32)(unsafe.Pointer(&mem[rrSlotsOff])), capacity),
	}
	rr.set(slots)
	progFD, err := bpfProgLoad(roundRobinProgram(mapFD, capacity))
	if err != nil {
		rr.close()
		return nil, fmt.Errorf("load the BPF program: %w", err)
	}
	defer unix.Close(progFD)
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ATTACH_REUSEPORT_EBPF, progFD); err != nil {
		rr.close()
		return nil, fmt.Errorf("attach the BPF program: %w", os.NewSyscallError("setsockopt SO_ATTACH_REUSEPORT_EBPF", err))
	}
	return rr, nil
}

// set makes the program spread new connections over slots (at most the
// capacity): the list first, then its length. Once closed it does nothing.
func (rr *roundRobin) set(slots []int) {
	if rr.mem == nil {
		return
	}
	slots = slots[:min(len(slots), len(rr.slots))]
	for i, s := range slots {
		atomic.StoreUint32(&rr.slots[i], uint32(s))
	}
	atomic.StoreUint32(rr.k, uint32(len(slots)))
}

// close unmaps the element; the program keeps the map while attached.
func (rr *roundRobin) close() {
	if rr.mem != nil {
		unix.Munmap(rr.mem)
		rr.mem, rr.k, rr.slots = nil, nil, nil
	}
}

// bpfMapCreate creates the one-element, mmap'able array map, its element
// size bytes.
func bpfMapCreate(size int) (int, error) {
	var attr struct {
		mapType, keySize, valueSize, maxEntries, mapFlags uint32
		_                                                 [108]byte // the rest of union bpf_attr's map part, zero
	}
	attr.mapType = unix.BPF_MAP_TYPE_ARRAY
	attr.keySize = 4
	attr.valueSize = uint32(size)
	attr.maxEntries = 1
	attr.mapFlags = unix.BPF_F_MMAPABLE
	return bpfSys(unix.BPF_MAP_CREATE, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
}

// bpfProgLoad loads insns as a socket filter program.
func bpfProgLoad(insns []byte) (int, error) {
	license := []byte{0} // "": the program calls no GPL-only helper
	var attr struct {
		progType, insnCnt uint32
		insns, license    uint64
		_                 [104]byte // log, version, flags, name...: zero
	}
	attr.progType = unix.BPF_PROG_TYPE_SOCKET_FILTER
	attr.insnCnt = uint32(len(insns) / 8)
	attr.insns = uint64(uintptr(unsafe.Pointer(&insns[0])))
	attr.license = uint64(uintptr(unsafe.Pointer(&license[0])))
	fd, err := bpfSys(unix.BPF_PROG_LOAD, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	runtime.KeepAlive(insns) // attr holds them as integers only
	runtime.KeepAlive(license)
	return fd, err
}

func bpfSys(cmd int, attr unsafe.Pointer, size uintptr) (int, error) {
	fd, _, e := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), size)
	if e != 0 {
		return -1, os.NewSyscallError("bpf", e)
	}
	return int(fd), nil
}

// eBPF opcodes (linux/bpf.h, linux/bpf_common.h) the program uses.
const (
	opLdImm64           = unix.BPF_LD | unix.BPF_DW | unix.BPF_IMM    // dst = imm64 (two slots)
	opMovReg64          = unix.BPF_ALU64 | unix.BPF_MOV | unix.BPF_X  // dst = src
	opMovImm64          = unix.BPF_ALU64 | unix.BPF_MOV | unix.BPF_K  // dst = imm
	opAddImm64          = unix.BPF_ALU64 | unix.BPF_ADD | unix.BPF_K  // dst += imm
	opStImm32           = unix.BPF_ST | unix.BPF_MEM | unix.BPF_W     // *(u32 *)(dst + off) = imm
	opLdx32             = unix.BPF_LDX | unix.BPF_MEM | unix.BPF_W    // dst = *(u32 *)(src + off)
	opAtomic32          = unix.BPF_STX | unix.BPF_ATOMIC | unix.BPF_W // imm = op: *(u32 *)(dst + off) op= src
	opModReg32          = unix.BPF_ALU | unix.BPF_MOD | unix.BPF_X    // dst = (u32)dst % (u32)src
	opLshImm64          = unix.BPF_ALU64 | unix.BPF_LSH | unix.BPF_K  // dst <<= imm
	opAddReg64          = unix.BPF_ALU64 | unix.BPF_ADD | unix.BPF_X  // dst += src
	opJgeImm            = unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K    // if dst >= imm (unsigned): pc += off
	opJeqImm            = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K    // if dst == imm: pc += off
	opCall              = unix.BPF_JMP | unix.BPF_CALL                // r0 = helper imm(r1..r5)
	opExit              = unix.BPF_JMP | unix.BPF_EXIT                // return r0
	helperMapLookupElem = 1                                           // BPF_FUNC_map_lookup_elem
	fetchAdd            = unix.BPF_ADD | unix.BPF_FETCH               // atomic add, src = the old value
)

// roundRobinProgram is the steering program over the map mapFD, whose
// slots hold capacity entries:
//
//	r1 = map; r2 = &key (0, on the stack); r0 = map_lookup_elem(r1, r2)
//	if r0 == 0: goto none
//	r1 = 1; r1 = fetch_add(*(u32 *)(r0 + next), r1)   // this connection's turn
//	r2 = *(u32 *)(r0 + k)
//	if r2 == 0: goto none
//	w1 %= w2
//	if r1 >= capacity: goto none                      // for the verifier: k <= capacity
//	r1 <<= 2; r0 += r1; r0 = *(u32 *)(r0 + slots)     // slots[next % k]
//	return r0
//	none: r0 = -1; return r0   // no such socket: the kernel hashes
func roundRobinProgram(mapFD, capacity int) []byte {
	var p program
	p.insn(opLdImm64, 1, unix.BPF_PSEUDO_MAP_FD, 0, int32(mapFD))
	p.insn(0, 0, 0, 0, 0) // the high half of the 64-bit immediate
	p.insn(opStImm32, 10, 0, -4, 0)
	p.insn(opMovReg64, 2, 10, 0, 0)
	p.insn(opAddImm64, 2, 0, 0, -4)
	p.insn(opCall, 0, 0, 0, helperMapLookupElem)
	p.insn(opJeqImm, 0, 0, 10, 0) // to none
	p.insn(opMovImm64, 1, 0, 0, 1)
	p.insn(opAtomic32, 0, 1, rrNextOff, fetchAdd)
	p.insn(opLdx32, 2, 0, rrKOff, 0)
	p.insn(opJeqImm, 2, 0, 6, 0) // to none
	p.insn(opModReg32, 1, 2, 0, 0)
	p.insn(opJgeImm, 1, 0, 4, int32(capacity)) // to none
	p.insn(opLshImm64, 1, 0, 0, 2)
	p.insn(opAddReg64, 0, 1, 0, 0)
	p.insn(opLdx32, 0, 0, rrSlotsOff, 0)
	p.insn(opExit, 0, 0, 0, 0)
	p.insn(opMovImm64, 0, 0, 0, -1) // none
	p.insn(opExit, 0, 0, 0, 0)
	return p.b
}

// program assembles struct bpf_insn: code, dst and src registers (4 bits
// each, in the machine's bit-field order), off, imm.
type program struct{ b []byte }

func (p *program) insn(code uint8, dst, src uint8, off int16, imm int32) {
	regs := dst | src<<4
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 { // big-endian: dst is the high nibble
		regs = dst<<4 | src
	}
	p.b = append(p.b, code, regs)
	p.b = binary.NativeEndian.AppendUint16(p.b, uint16(off))
	p.b = binary.NativeEndian.AppendUint32(p.b, uint32(imm))
}

/*
 * spark2's exec stub for linux/amd64: a whole static ELF program, header
 * included, that internal/launch runs from a sealed memfd to start a worker.
 * See ../stub.go for the protocol and gen.sh for how the bytes are made.
 *
 * argv[0]  "<report fd>[n]": the exec report fd, decimal; "n" asks for
 *          no_new_privs.
 * argv[1]  the path of COMMAND, already looked up by the master.
 * argv[2…] COMMAND's own argv.
 * envp     the worker's environment; every variable whose value is exactly
 *          OWN_PID (below) gets this process's pid instead.
 *
 * It unblocks every signal, sets every signal to its default action, marks
 * every fd from the report fd up close-on-exec, and execs. If exec (or
 * prctl) fails, it writes the errno as one byte to the report fd and exits
 * 127 (ENOENT, ENOTDIR) or 126 (anything else): exitcode.NotFound and
 * exitcode.CannotExecute of internal/exitcode.
 */
	.intel_syntax noprefix
	.set	BASE, 0x400000
	.text
ehdr:
	.byte	0x7f, 'E', 'L', 'F', 2, 1, 1, 0
	.quad	0
	.short	2			/* ET_EXEC */
	.short	62			/* EM_X86_64 */
	.long	1
	.quad	_start - ehdr + BASE	/* e_entry */
	.quad	phdr - ehdr		/* e_phoff */
	.quad	0			/* e_shoff */
	.long	0			/* e_flags */
	.short	64, 56, 2, 0, 0, 0	/* ehsize, phentsize, phnum, sh* */
phdr:
	.long	1, 5			/* PT_LOAD, R+X */
	.quad	0, BASE, BASE		/* offset, vaddr, paddr */
	.quad	end - ehdr, end - ehdr	/* filesz, memsz */
	.quad	0x1000
	.long	0x6474e551, 6		/* PT_GNU_STACK, RW: no executable stack */
	.quad	0, 0, 0, 0, 0, 16

_start:
	mov	rbx, [rsp]		/* argc */
	lea	r12, [rsp + 8]		/* argv */
	lea	r13, [r12 + rbx*8 + 8]	/* envp */
	sub	rsp, 64			/* [rsp]: zero sigaction and mask; [rsp+32]: digits */
	xor	eax, eax
	mov	[rsp], rax
	mov	[rsp + 8], rax
	mov	[rsp + 16], rax
	mov	[rsp + 24], rax

	/* r14: the report fd, from argv[0]'s digits */
	mov	rsi, [r12]
	xor	r14d, r14d
1:	movzx	eax, byte ptr [rsi]
	sub	eax, '0'
	cmp	eax, 9
	ja	2f
	imul	r14d, r14d, 10
	add	r14d, eax
	inc	rsi
	jmp	1b
2:	cmp	byte ptr [rsi], 'n'
	jne	3f
	mov	eax, 157		/* prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) */
	mov	edi, 38
	mov	esi, 1
	xor	edx, edx
	xor	r10d, r10d
	xor	r8d, r8d
	syscall
	test	rax, rax
	jnz	fail

3:	mov	eax, 14			/* rt_sigprocmask(SIG_SETMASK, &empty, 0, 8) */
	mov	edi, 2
	mov	rsi, rsp
	xor	edx, edx
	mov	r10d, 8
	syscall
	mov	r15d, 1
4:	mov	eax, 13			/* rt_sigaction(sig, &dfl, 0, 8); KILL, STOP fail: fine */
	mov	edi, r15d
	mov	rsi, rsp
	xor	edx, edx
	mov	r10d, 8
	syscall
	inc	r15d
	cmp	r15d, 64
	jbe	4b

	mov	eax, 436		/* close_range(fd, ~0, CLOSE_RANGE_CLOEXEC) */
	mov	edi, r14d
	mov	esi, -1
	mov	edx, 4
	syscall

	/* the pid's digits end at [rsp+48]; rcx: their count */
	mov	eax, 39			/* getpid */
	syscall
	lea	rdi, [rsp + 48]
	mov	byte ptr [rdi], 0
	xor	ecx, ecx
	mov	r8d, 10
5:	xor	edx, edx
	div	r8d
	add	dl, '0'
	dec	rdi
	mov	[rdi], dl
	inc	ecx
	test	eax, eax
	jnz	5b

	/* every "NAME=OWN_PID" in envp becomes "NAME=<pid>" in place */
	mov	r9, r13
6:	mov	rsi, [r9]
	test	rsi, rsi
	jz	exec
	add	r9, 8
7:	mov	al, [rsi]		/* find '=' */
	test	al, al
	jz	6b
	inc	rsi
	cmp	al, '='
	jne	7b
	lea	r10, [rip + marker]	/* compare the value with OWN_PID, NUL included */
	xor	edx, edx
8:	mov	al, [rsi + rdx]
	cmp	al, [r10 + rdx]
	jne	6b
	inc	edx
	test	al, al
	jnz	8b
	xor	edx, edx		/* copy the digits and their NUL */
9:	mov	al, [rdi + rdx]
	mov	[rsi + rdx], al
	inc	edx
	cmp	edx, ecx
	jbe	9b
	jmp	6b

exec:
	mov	eax, 59			/* execve(argv[1], &argv[2], envp) */
	mov	rdi, [r12 + 8]
	lea	rsi, [r12 + 16]
	mov	rdx, r13
	syscall

fail:	neg	eax			/* errno */
	mov	[rsp], al
	mov	ebx, 126		/* exitcode.CannotExecute */
	cmp	eax, 2			/* ENOENT */
	je	10f
	cmp	eax, 20			/* ENOTDIR */
	jne	11f
10:	mov	ebx, 127		/* exitcode.NotFound */
11:	mov	eax, 1			/* write(fd, &errno, 1) */
	mov	edi, r14d
	mov	rsi, rsp
	mov	edx, 1
	syscall
	mov	eax, 231		/* exit_group(code) */
	mov	edi, ebx
	syscall

marker:	.asciz	"@SPARK2_OWN_PID@"
end:

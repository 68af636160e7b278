/*
 * spark2's exec stub for linux/arm64: the same program as amd64.S (read its
 * comment for the protocol), for 64-bit Arm.
 */
	.set	BASE, 0x400000
	.text
ehdr:
	.byte	0x7f, 'E', 'L', 'F', 2, 1, 1, 0
	.quad	0
	.short	2			/* ET_EXEC */
	.short	183			/* EM_AARCH64 */
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
	.quad	0x10000
	.long	0x6474e551, 6		/* PT_GNU_STACK, RW: no executable stack */
	.quad	0, 0, 0, 0, 0, 16

	.balign	4
_start:
	ldr	x19, [sp]		/* argc */
	add	x20, sp, #8		/* argv */
	add	x21, x20, x19, lsl #3
	add	x21, x21, #8		/* envp */
	sub	sp, sp, #64		/* [sp]: zero sigaction and mask; [sp+32]: digits */
	stp	xzr, xzr, [sp]
	stp	xzr, xzr, [sp, #16]

	/* x22: the report fd, from argv[0]'s digits */
	ldr	x1, [x20]
	mov	x22, #0
	mov	x3, #10
1:	ldrb	w2, [x1]
	sub	w2, w2, #'0'
	cmp	w2, #9
	b.hi	2f
	madd	x22, x22, x3, x2
	add	x1, x1, #1
	b	1b
2:	ldrb	w2, [x1]
	cmp	w2, #'n'
	b.ne	3f
	mov	x8, #167		/* prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) */
	mov	x0, #38
	mov	x1, #1
	mov	x2, #0
	mov	x3, #0
	mov	x4, #0
	svc	#0
	cbnz	x0, fail

3:	mov	x8, #135		/* rt_sigprocmask(SIG_SETMASK, &empty, 0, 8) */
	mov	x0, #2
	mov	x1, sp
	mov	x2, #0
	mov	x3, #8
	svc	#0
	mov	x23, #1
4:	mov	x8, #134		/* rt_sigaction(sig, &dfl, 0, 8); KILL, STOP fail: fine */
	mov	x0, x23
	mov	x1, sp
	mov	x2, #0
	mov	x3, #8
	svc	#0
	add	x23, x23, #1
	cmp	x23, #64
	b.ls	4b

	mov	x8, #436		/* close_range(fd, ~0, CLOSE_RANGE_CLOEXEC) */
	mov	x0, x22
	mov	w1, #-1
	mov	x2, #4
	svc	#0

	/* the pid's digits end at [sp+48]; x5: their count */
	mov	x8, #172		/* getpid */
	svc	#0
	add	x4, sp, #48
	strb	wzr, [x4]
	mov	x5, #0
	mov	x3, #10
5:	udiv	x6, x0, x3
	msub	x7, x6, x3, x0
	add	w7, w7, #'0'
	sub	x4, x4, #1
	strb	w7, [x4]
	add	x5, x5, #1
	mov	x0, x6
	cbnz	x0, 5b

	/* every "NAME=OWN_PID" in envp becomes "NAME=<pid>" in place */
	adr	x10, marker
	mov	x9, x21
6:	ldr	x1, [x9], #8
	cbz	x1, exec
7:	ldrb	w2, [x1], #1		/* find '=' */
	cbz	w2, 6b
	cmp	w2, #'='
	b.ne	7b
	mov	x6, #0			/* compare the value with OWN_PID, NUL included */
8:	ldrb	w2, [x1, x6]
	ldrb	w7, [x10, x6]
	cmp	w2, w7
	b.ne	6b
	add	x6, x6, #1
	cbnz	w2, 8b
	mov	x6, #0			/* copy the digits and their NUL */
9:	ldrb	w2, [x4, x6]
	strb	w2, [x1, x6]
	add	x6, x6, #1
	cmp	x6, x5
	b.ls	9b
	b	6b

exec:
	mov	x8, #221		/* execve(argv[1], &argv[2], envp) */
	ldr	x0, [x20, #8]
	add	x1, x20, #16
	mov	x2, x21
	svc	#0

fail:	neg	x0, x0			/* errno */
	strb	w0, [sp]
	mov	x19, #126		/* exitcode.CannotExecute */
	cmp	x0, #2			/* ENOENT */
	b.eq	10f
	cmp	x0, #20			/* ENOTDIR */
	b.ne	11f
10:	mov	x19, #127		/* exitcode.NotFound */
11:	mov	x8, #64			/* write(fd, &errno, 1) */
	mov	x0, x22
	mov	x1, sp
	mov	x2, #1
	svc	#0
	mov	x8, #94			/* exit_group(code) */
	mov	x0, x19
	svc	#0

marker:	.asciz	"@SPARK2_OWN_PID@"
end:

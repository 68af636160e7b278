/* nap: the orphans of the reaping figure (x86-64 Linux, no libc).
   Blocks in read(0, sp, 1) until its stdin pipe closes, then exit(0).
   Built by run.sh with "gcc -nostdlib -static"; without gcc, /bin/cat. */
	.globl _start
	.text
_start:
	xor	%eax, %eax	/* SYS_read */
	xor	%edi, %edi	/* fd 0 */
	mov	%rsp, %rsi
	mov	$1, %edx
	syscall
	mov	$60, %eax	/* SYS_exit */
	xor	%edi, %edi
	syscall
	.section .note.GNU-stack,"",@progbits

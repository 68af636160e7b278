package app

import (
	"os"
	"syscall"

	"github.com/hashicorp/go-hclog"
)

// setTitle makes --comment visible in ps and htop: unless argv[0] already
// reads "spark2 [COMMENT]", spark2 re-executes itself (same pid, same
// arguments and environment) with that argv[0]. A Go program cannot grow its
// own command line in place, and prctl(PR_SET_MM) needs CAP_SYS_RESOURCE,
// which containers do not have; one exec at start-up costs about a
// millisecond. If the exec fails, spark2 goes on untitled.
func setTitle(comment string, log hclog.Logger) {
	title := "spark2 [" + comment + "]"
	if comment == "" || os.Args[0] == title {
		return
	}
	self, err := os.Executable()
	if err == nil {
		argv := append([]string{title}, os.Args[1:]...)
		err = syscall.Exec(self, argv, os.Environ())
	}
	log.Warn("cannot show --comment in the process title", "error", err)
}

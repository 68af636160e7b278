package status

import (
	"path/filepath"
	"strconv"
)

// DefaultPath is where the master writes its status file, and so where
// the control commands look, when --status-file is not given:
//
//	<base>/spark2-<uid>/status-<port>-<hash>.json
//
// base is $XDG_RUNTIME_DIR, else $TMPDIR, else /tmp; uid is the user the
// master runs as (after -u); port is the listening port, or "nolisten"; hash
// is 8 hex digits of the working directory (after -C): its 32-bit FNV-1a
// hash, a name and not a secret (the file's trust checks guard it), so
// spark2 links no cryptographic hash for it. So two spark2 on one
// laptop, on other ports or for other apps, do not clobber each other, and a
// probe run in the container with the master's environment finds the file.
func DefaultPath(lookupEnv func(string) (string, bool), uid int, port string, workdir string) string {
	base := "/tmp"
	for _, k := range []string{"XDG_RUNTIME_DIR", "TMPDIR"} {
		if v, ok := lookupEnv(k); ok && v != "" {
			base = v
			break
		}
	}
	h := uint32(2166136261)
	for i := 0; i < len(workdir); i++ {
		h = (h ^ uint32(workdir[i])) * 16777619
	}
	hash := strconv.FormatUint(uint64(h)|1<<32, 16)[1:] // 8 digits, leading zeros kept
	name := "status-" + port + "-" + hash + ".json"
	return filepath.Join(base, "spark2-"+strconv.Itoa(uid), name)
}

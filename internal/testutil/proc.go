package testutil

import (
	"os"
	"strconv"
	"strings"
)

// ProcMemory reads a memory figure in bytes (VmRSS, VmHWM, ...) of
// process pid, or of this process when pid is 0, from /proc/<pid>/status.
// It reports false when the process or the field cannot be read (the
// process has ended, or this is not Linux).
func ProcMemory(pid int, field string) (int64, bool) {
	name := "self"
	if pid != 0 {
		name = strconv.Itoa(pid)
	}
	b, err := os.ReadFile("/proc/" + name + "/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, false
			}
			return kb << 10, true
		}
	}
	return 0, false
}

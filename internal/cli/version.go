package cli

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version overrides the module version when set at build time with
// -ldflags "-X cloudwall/internal/cli.Version=v1.2.3"; otherwise the
// version comes from the build information Go records.
var Version = ""

// buildVersion is what a binary knows about its own build.
type buildVersion struct {
	// Version is the module version: v1.2.3 for `go install
	// cloudwall@v1.2.3`, "(devel)" for a build from a work tree.
	Version string
	// Revision, Time and Modified come from the VCS stamp `go build`
	// records in a git work tree; `go run` and `go test` record none.
	Revision string
	Time     string
	Modified bool
	Go       string
}

// currentVersion reads the build information of the running binary.
func currentVersion() buildVersion {
	v := buildVersion{Version: Version, Go: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if ok {
		if v.Version == "" {
			v.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.time":
				v.Time = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if v.Version == "" {
		v.Version = "(devel)"
	}
	return v
}

// String is the one-line form `--version` and report headers show.
func (v buildVersion) String() string {
	s := v.Version
	if v.Revision != "" {
		s += " (" + shortRevision(v) + ")"
	}
	return s
}

// shortRevision is the first 12 characters of the revision, marked
// "-dirty" when the work tree had uncommitted changes.
func shortRevision(v buildVersion) string {
	r := v.Revision
	if len(r) > 12 {
		r = r[:12]
	}
	if v.Modified {
		r += "-dirty"
	}
	return r
}

func newVersionCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print cloudwall's version and the revision it was built from",
		Long: `version prints the module version, the VCS revision the binary was built
from and the Go version. A binary built with go build in a git work tree
knows its revision; go run and go test record none, and a build from a work
tree has the version (devel).`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			writeVersion(stdout, currentVersion())
			return nil
		},
	}
}

func writeVersion(w io.Writer, v buildVersion) {
	fmt.Fprintf(w, "cloudwall %s\n", v.Version)
	switch {
	case v.Revision == "":
		fmt.Fprintln(w, "revision: unknown (no VCS information recorded: go run, go test, or a build outside a git work tree)")
	default:
		rev := v.Revision
		if v.Modified {
			rev += " (modified: built with uncommitted changes)"
		}
		fmt.Fprintf(w, "revision: %s\n", rev)
		if v.Time != "" {
			fmt.Fprintf(w, "commit time: %s\n", v.Time)
		}
	}
	fmt.Fprintf(w, "go: %s %s/%s\n", v.Go, runtime.GOOS, runtime.GOARCH)
}

package audit

import (
	"strings"
	"time"

	"cloudwall/internal/model"
)

// Undated is how a finding of a snapshot that does not say when it was
// taken (describe-* output, az and gcloud lists) gets a time instead of
// none: asOf when the user gave one (--as-of), else the modification time
// of the file the snapshot was read from (mtime, from the outer file of an
// archive member), else readAt (stdin). A reason says which. A finding
// with a time is left as it is.
func Undated(f *model.Finding, asOf time.Time, mtime func(path string) (time.Time, bool), readAt time.Time) {
	if !f.Time.IsZero() {
		return
	}
	const lead = "time: the snapshot does not say when it was taken; "
	file := f.Event.File
	switch t, ok := fileTime(file, mtime); {
	case !asOf.IsZero():
		f.Time = asOf.UTC()
		f.Reasons = append(f.Reasons, lead+"this is --as-of")
	case ok:
		f.Time = t.UTC()
		f.Reasons = append(f.Reasons, lead+"this is the modification time of "+outerFile(file))
	default:
		f.Time = readAt.UTC()
		f.Reasons = append(f.Reasons, lead+"this is when it was read")
	}
}

func fileTime(file string, mtime func(string) (time.Time, bool)) (time.Time, bool) {
	if file == "" || file == "-" || mtime == nil {
		return time.Time{}, false
	}
	if t, ok := mtime(file); ok {
		return t, true
	}
	if outer := outerFile(file); outer != file {
		return mtime(outer)
	}
	return time.Time{}, false
}

// outerFile is the archive an archive member ("x.tar.gz!sg.json") was
// read from.
func outerFile(file string) string {
	if i := strings.Index(file, "!"); i > 0 {
		return file[:i]
	}
	return file
}

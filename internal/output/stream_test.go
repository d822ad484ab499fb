package output

import (
	"bytes"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// A scan that ranked its findings on disk writes them one at a time: the
// bytes are those Write gives for the whole list.
func TestWriteEachSameAsWrite(t *testing.T) {
	fs := testFindings()
	opts := Options{Version: "v1.2.3", Now: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)}
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			var got bytes.Buffer
			err := WriteEach(&got, format, func(fn func(model.Finding) error) error {
				for _, f := range fs {
					if err := fn(f); err != nil {
						return err
					}
				}
				return nil
			}, testSummary(), opts)
			if !Streams(format) {
				if err == nil {
					t.Fatalf("%s cannot be streamed, yet WriteEach accepted it", format)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := render(t, format, fs, opts)
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("WriteEach differs from Write:\n got %.400q\nwant %.400q", got.Bytes(), want)
			}
		})
	}
}

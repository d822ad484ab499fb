package simulate

import (
	"cloudwall/internal/model"
	"context"
	"os"
	"testing"
	"time"
)

func TestTmpInspect(t *testing.T) {
	dir := os.Getenv("INSPECT_DIR")
	if dir == "" {
		t.Skip()
	}
	start := time.Now()
	m, err := GenerateCorpus(context.Background(), dir, CorpusOptions{Size: 200e6, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var stored int64
	for _, f := range m.Files {
		stored += f.Stored
	}
	n, b, r := m.CloudTotals("")
	t.Logf("%v files=%d bytes=%d records=%d stored=%d events=%d", time.Since(start), n, b, r, stored, len(m.Events))
	for _, c := range []string{"aws", "azure", "gcp"} {
		n, b, r := m.CloudTotals(modelCloud(c))
		t.Logf("%s files=%d bytes=%d records=%d avg=%d", c, n, b, r, b/max(r, 1))
	}
}
func modelCloud(s string) (c model.Cloud) { return model.Cloud(s) }

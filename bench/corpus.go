package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/simulate"
)

// corpusRoots are the top-level entries a generated corpus consists of;
// only these are ever removed when a stale corpus is regenerated.
var corpusRoots = []string{"AWSLogs", "insights-activity-logs", "cloudaudit.googleapis.com", simulate.ManifestFile, simulate.PlantedFile}

// subtree is the directory of each cloud inside a corpus.
var subtree = map[model.Cloud]string{
	model.AWS:   "AWSLogs",
	model.Azure: "insights-activity-logs",
	model.GCP:   "cloudaudit.googleapis.com",
}

type corpus struct {
	dir string
	m   simulate.Manifest
}

// files returns the corpus's log files (relative, slash-separated), all
// or one cloud's.
func (c *corpus) files(cloud model.Cloud) []string {
	var out []string
	for _, f := range c.m.Files {
		if cloud == "" || f.Cloud == cloud {
			out = append(out, f.Path)
		}
	}
	return out
}

func (b *bench) options(size int64) simulate.CorpusOptions {
	return simulate.CorpusOptions{
		Size:      size,
		Seed:      b.cfg.seed,
		Mix:       b.cfg.mix,
		PlantRate: b.cfg.plantRate,
		HugeFile:  b.cfg.hugeFile,
	}
}

// sameCorpus reports whether a cached manifest was made with the options
// a fresh one would be (defaults filled in by the generator).
func sameCorpus(have simulate.CorpusOptions, want simulate.CorpusOptions) bool {
	sum := want.Mix.AWS + want.Mix.Azure + want.Mix.GCP
	near := func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
	return have.Size == want.Size && have.Seed == want.Seed && have.HugeFile == want.HugeFile &&
		near(have.PlantRate, want.PlantRate) && have.Compression == simulate.CompressGzip &&
		near(have.Mix.AWS, want.Mix.AWS/sum) && near(have.Mix.Azure, want.Mix.Azure/sum) && near(have.Mix.GCP, want.Mix.GCP/sum)
}

// corpus returns the corpus in dir, generating it unless a matching one
// is already there.
func (b *bench) corpus(ctx context.Context, dir string, size int64) (*corpus, error) {
	opts := b.options(size)
	m, err := simulate.ReadManifest(dir)
	if err == nil && m.Version == simulate.ManifestVersion && sameCorpus(m.Options, opts) {
		b.logf("reusing corpus %s", dir)
		return &corpus{dir: dir, m: m}, nil
	}
	if err := clearCorpus(dir); err != nil {
		return nil, err
	}
	b.logf("generating %s corpus (seed %d) in %s", fmtBytes(size), opts.Seed, dir)
	start := time.Now()
	m, err = simulate.GenerateCorpus(ctx, dir, opts)
	if err != nil {
		return nil, fmt.Errorf("generate corpus: %w", err)
	}
	_, bytes, _ := m.CloudTotals("")
	el := time.Since(start).Seconds()
	b.logf("generated %s in %.1fs (%.0f MB/s)", fmtBytes(bytes), el, float64(bytes)/1e6/el)
	return &corpus{dir: dir, m: m}, nil
}

// clearCorpus removes a previous corpus from dir. It refuses a directory
// holding anything a corpus does not, so a mistyped -dir cannot delete
// unrelated files.
func clearCorpus(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read corpus directory: %w", err)
	}
	known := map[string]bool{}
	for _, r := range corpusRoots {
		known[r] = true
	}
	for _, e := range entries {
		if !known[e.Name()] {
			return fmt.Errorf("%s holds %q, which is not part of a generated corpus; choose an empty or new -dir", dir, e.Name())
		}
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("remove stale corpus: %w", err)
		}
	}
	return nil
}

func (b *bench) describe(c *corpus) {
	var stored int64
	for _, f := range c.m.Files {
		stored += f.Stored
	}
	n, bytes, recs := c.m.CloudTotals("")
	fmt.Fprintf(b.out, "## Corpus\n\n%s: %d files, %s uncompressed (%s on disk, %.1fx), %d records, seed %d\n\n",
		c.dir, n, fmtBytes(bytes), fmtBytes(stored), float64(bytes)/float64(max(stored, 1)), recs, c.m.Options.Seed)
	fmt.Fprintf(b.out, "| cloud | files | uncompressed | records | bytes/record |\n|---|---:|---:|---:|---:|\n")
	for _, cl := range []model.Cloud{model.AWS, model.Azure, model.GCP} {
		n, bytes, recs := c.m.CloudTotals(cl)
		fmt.Fprintf(b.out, "| %s | %d | %s | %d | %d |\n", cl, n, fmtBytes(bytes), recs, bytes/max(recs, 1))
	}
	var attacks, decoys int
	for _, ev := range c.m.Events {
		if ev.Kind == simulate.Attack {
			attacks++
		} else {
			decoys++
		}
	}
	fmt.Fprintf(b.out, "\nplanted: %d attacks, %d decoys (%d scenarios)\n\n", attacks, decoys, len(simulate.Scenarios()))
}

// warm reads every file once so the first timed tool does not pay for
// the disk while the others read from the page cache.
func (b *bench) warm(c *corpus) {
	buf := make([]byte, 1<<20)
	for _, p := range c.files("") {
		f, err := os.Open(filepath.Join(c.dir, filepath.FromSlash(p)))
		if err != nil {
			continue
		}
		_, _ = io.CopyBuffer(io.Discard, struct{ io.Reader }{f}, buf)
		f.Close()
	}
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

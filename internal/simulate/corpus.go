package simulate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"cloudwall/internal/model"
)

// ManifestVersion changes whenever the generator's output for a given seed
// changes, so a cached corpus from an older generator is not reused.
const ManifestVersion = 3

// Names of the two manifest files in a corpus root.
const (
	ManifestFile = "corpus.json"
	PlantedFile  = "planted.jsonl"
)

// Compression names accepted by CorpusOptions.Compression.
const (
	CompressGzip = "gzip"
	CompressZstd = "zstd"
	CompressNone = "none"
)

// Mix is the share of uncompressed bytes each cloud gets. Shares are
// relative: {7, 1.5, 1.5} is the same as {0.7, 0.15, 0.15}.
type Mix struct {
	AWS   float64 `json:"aws"`
	Azure float64 `json:"azure"`
	GCP   float64 `json:"gcp"`
}

// CorpusOptions controls GenerateCorpus. The zero value of every field
// but Size means "default".
type CorpusOptions struct {
	// Size is the target total of uncompressed bytes over all clouds.
	Size int64  `json:"size"`
	Seed uint64 `json:"seed"`
	// Mix defaults to 70% AWS, 15% Azure, 15% GCP.
	Mix Mix `json:"mix"`
	// PlantRate is planted attacks per record (default 1e-4); decoys are
	// planted at the same rate. Every scenario is planted at least once.
	// A negative rate plants nothing.
	PlantRate float64 `json:"plant_rate"`
	// Workers is how many files are generated and compressed at once
	// (default GOMAXPROCS). It does not change the output.
	Workers int `json:"-"`
	// Compression is "gzip" (default), "zstd" or "none".
	Compression string `json:"compression"`
	// HugeFile, when positive, adds one CloudTrail file of this many
	// uncompressed bytes; it counts toward Size.
	HugeFile int64 `json:"huge_file,omitempty"`
	// PlainShare is the share of Azure and GCP files left uncompressed
	// (default 0.1; negative for none), as sinks that write plain JSON do.
	PlainShare float64 `json:"plain_share"`
	// Start is the earliest event time (default 2025-03-03T00:00:00Z).
	Start time.Time `json:"start"`
}

func (o CorpusOptions) withDefaults() (CorpusOptions, error) {
	if o.Size <= 0 {
		return o, fmt.Errorf("corpus size must be positive, got %d", o.Size)
	}
	if o.Mix == (Mix{}) {
		o.Mix = Mix{AWS: 0.70, Azure: 0.15, GCP: 0.15}
	}
	if o.Mix.AWS < 0 || o.Mix.Azure < 0 || o.Mix.GCP < 0 {
		return o, fmt.Errorf("mix shares must not be negative: %+v", o.Mix)
	}
	if sum := o.Mix.AWS + o.Mix.Azure + o.Mix.GCP; sum > 0 {
		o.Mix = Mix{AWS: o.Mix.AWS / sum, Azure: o.Mix.Azure / sum, GCP: o.Mix.GCP / sum}
	}
	if o.PlantRate == 0 {
		o.PlantRate = 1e-4
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	switch o.Compression {
	case "":
		o.Compression = CompressGzip
	case CompressGzip, CompressZstd, CompressNone:
	default:
		return o, fmt.Errorf("unknown compression %q (want gzip, zstd or none)", o.Compression)
	}
	if o.PlainShare == 0 {
		o.PlainShare = 0.1
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	}
	o.Start = o.Start.UTC()
	return o, nil
}

// FileInfo describes one generated log object.
type FileInfo struct {
	// Path is slash-separated and relative to the corpus root.
	Path  string      `json:"path"`
	Cloud model.Cloud `json:"cloud"`
	Kind  string      `json:"kind"`
	// Bytes is the uncompressed size; Stored the size on disk.
	Bytes   int64 `json:"bytes"`
	Stored  int64 `json:"stored"`
	Records int64 `json:"records"`
}

// Manifest describes a generated corpus: corpus.json holds everything but
// Events, which are in planted.jsonl (one PlantedEvent per line).
type Manifest struct {
	Version int            `json:"version"`
	Options CorpusOptions  `json:"options"`
	Files   []FileInfo     `json:"files"`
	Events  []PlantedEvent `json:"-"`
}

// CloudTotals sums the files of one cloud ("" for all).
func (m *Manifest) CloudTotals(c model.Cloud) (files int, bytes, records int64) {
	for _, f := range m.Files {
		if c == "" || f.Cloud == c {
			files++
			bytes += f.Bytes
			records += f.Records
		}
	}
	return files, bytes, records
}

// Match returns the planted events a finding is about (normally one).
func (m *Manifest) Match(f FindingRef) []int {
	var out []int
	for i := range m.Events {
		if m.Events[i].Matches(f) {
			out = append(out, i)
		}
	}
	return out
}

// ReadManifest loads corpus.json and planted.jsonl from a corpus root.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	raw, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return m, fmt.Errorf("read corpus manifest: %w", err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("parse %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	f, err := os.Open(filepath.Join(dir, PlantedFile))
	if err != nil {
		return m, fmt.Errorf("read planted events: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var ev PlantedEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return m, fmt.Errorf("%s line %d: %w", PlantedFile, line, err)
		}
		m.Events = append(m.Events, ev)
	}
	if err := sc.Err(); err != nil {
		return m, fmt.Errorf("read %s: %w", PlantedFile, err)
	}
	return m, nil
}

// Estate sizes: enough accounts, subscriptions and projects that a corpus
// looks like an organisation, few enough that principals repeat.
const (
	numAWSAccounts  = 5
	numAzureSubs    = 3
	numGCPProjects  = 4
	awsSpan         = 72 * time.Hour
	awsWindow       = 5 * time.Minute
	largeShare      = 0.3 // share of CloudTrail bytes in large (tens of MB) files
	largeMin        = 20 << 20
	largeMax        = 60 << 20
	gcpDataShare    = 0.08
	flushThreshold  = 256 << 10
	digestsPerTrail = 50 // one digest file per this many trail files
)

// Average record sizes, used only to turn PlantRate into a count before
// the records exist.
var avgRecordBytes = map[model.Cloud]float64{model.AWS: 1500, model.Azure: 3300, model.GCP: 2100}

// fileSpec is one file to write, fully decided before any writing starts
// so the corpus does not depend on scheduling.
type fileSpec struct {
	stream  uint64
	cloud   model.Cloud
	kind    fileKind
	rel     string
	start   time.Time
	window  time.Duration
	target  int64
	acct    int // AWS account / Azure subscription index
	region  string
	plain   bool
	plants  []plantSpec
	digests []string // for digest files: the trail files they cover
}

type plantSpec struct {
	sc   *Scenario
	frac float64 // position in the file, as a share of its target bytes
}

// estate holds every cloud's cast, shared read-only by the workers.
type estate struct {
	seed  uint64
	aws   []*awsAccount
	azure []*azureSub
	gcp   []*gcpProject
}

func newEstate(seed uint64) *estate {
	e := &estate{seed: seed}
	for i := 0; i < numAWSAccounts; i++ {
		e.aws = append(e.aws, newAWSAccount(seed, i))
	}
	for i := 0; i < numAzureSubs; i++ {
		e.azure = append(e.azure, newAzureSub(seed, i))
	}
	for i := 0; i < numGCPProjects; i++ {
		e.gcp = append(e.gcp, newGCPProject(seed, i))
	}
	return e
}

// GenerateCorpus writes a corpus of opts.Size uncompressed bytes under dir
// (which must be empty or absent) and returns its manifest, which it also
// writes to dir/corpus.json and dir/planted.jsonl. The output depends only
// on the options (not on Workers).
func GenerateCorpus(ctx context.Context, dir string, opts CorpusOptions) (Manifest, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Manifest{}, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return Manifest{}, fmt.Errorf("corpus directory %s is not empty", dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Manifest{}, fmt.Errorf("read corpus directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Manifest{}, fmt.Errorf("create corpus directory: %w", err)
	}
	est := newEstate(opts.Seed)
	specs := planCorpus(opts, est)

	infos := make([]FileInfo, len(specs))
	events := make([][]PlantedEvent, len(specs))
	// Biggest first, so one huge file does not start last and run alone.
	order := make([]int, len(specs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return specs[order[a]].target > specs[order[b]].target })

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fw := newFileWriter(opts.Compression)
			for i := range jobs {
				info, evs, err := fw.write(ctx, dir, specs[i], est, opts)
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					continue
				}
				infos[i], events[i] = info, evs
			}
		}()
	}
feed:
	for _, i := range order {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return Manifest{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return Manifest{}, fmt.Errorf("generate corpus: %w", err)
	}
	m := Manifest{Version: ManifestVersion, Options: opts, Files: infos}
	for _, evs := range events {
		m.Events = append(m.Events, evs...)
	}
	if err := writeManifest(dir, &m); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

func writeManifest(dir string, m *Manifest) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i := range m.Events {
		if err := enc.Encode(&m.Events[i]); err != nil {
			return fmt.Errorf("encode planted event %d: %w", i, err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, PlantedFile), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write planted events: %w", err)
	}
	raw, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return fmt.Errorf("encode corpus manifest: %w", err)
	}
	// corpus.json is written last: its presence means the corpus is complete.
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("write corpus manifest: %w", err)
	}
	return nil
}

// planCorpus decides every file (path, size, time window, planted events).
func planCorpus(o CorpusOptions, est *estate) []*fileSpec {
	r := newRNG(o.Seed, 1)
	var specs []*fileSpec
	ext := func(plainOK bool) (string, bool) {
		plain := o.Compression == CompressNone || plainOK && o.PlainShare > 0 && r.chance(o.PlainShare)
		switch {
		case plain:
			return ".json", true
		case o.Compression == CompressZstd:
			return ".json.zst", false
		}
		return ".json.gz", false
	}
	awsBytes := int64(float64(o.Size) * o.Mix.AWS)
	azureBytes := int64(float64(o.Size) * o.Mix.Azure)
	gcpBytes := o.Size - awsBytes - azureBytes

	// AWS: one optional huge file, some large ones, the rest small.
	awsFile := func(target int64, kind fileKind) *fileSpec {
		acct := weightedAccount(r)
		region := pick(r, awsRegions)
		t := o.Start.Add(time.Duration(r.Int64N(int64(awsSpan/awsWindow))) * awsWindow)
		t = t.Add(time.Duration(r.IntN(60)) * time.Second)
		id := est.aws[acct].id
		e, _ := ext(false)
		prefix := "CloudTrail"
		if kind == kindInsight {
			prefix = "CloudTrail-Insight"
		}
		rel := "AWSLogs/" + id + "/" + prefix + "/" + region + "/" + t.Format("2006/01/02") + "/" +
			id + "_" + prefix + "_" + region + "_" + t.Format("20060102T1504Z") + "_" + r.fromSet(alnumMixed, 16) + e
		return &fileSpec{cloud: model.AWS, kind: kind, rel: rel, start: t.Truncate(awsWindow), window: awsWindow, target: target, acct: acct, region: region}
	}
	remaining := awsBytes
	if o.HugeFile > 0 {
		specs = append(specs, awsFile(o.HugeFile, kindTrail))
		remaining -= o.HugeFile
	}
	if remaining > 0 {
		largeBudget := int64(float64(remaining) * largeShare)
		if largeBudget < largeMin/4 {
			largeBudget = 0
		}
		for largeBudget > 0 {
			sz := int64(largeMin + r.IntN(largeMax-largeMin))
			if sz > largeBudget || largeBudget-sz < largeMin/4 {
				sz = largeBudget
			}
			specs = append(specs, awsFile(sz, kindTrail))
			largeBudget -= sz
			remaining -= sz
		}
		for remaining > 0 {
			// 10-300 records, skewed toward small files as quiet
			// account-regions deliver them.
			u := r.Float64()
			n := 10 + int(290*u*u)
			sz := min(int64(n)*int64(avgRecordBytes[model.AWS]), remaining)
			specs = append(specs, awsFile(sz, kindTrail))
			remaining -= sz
		}
	}

	// Azure: one PT1H.json per subscription and hour.
	for slot, left := 0, azureBytes; left > 0; slot++ {
		sub := slot % numAzureSubs
		hour := o.Start.Add(time.Duration(slot/numAzureSubs) * time.Hour)
		sz := min(logUniform(r, 40<<10, 3<<20), left)
		e, plain := ext(true)
		rel := "insights-activity-logs/resourceId=/SUBSCRIPTIONS/" + strings.ToUpper(est.azure[sub].id) +
			"/y=" + hour.Format("2006") + "/m=" + hour.Format("01") + "/d=" + hour.Format("02") + "/h=" + hour.Format("15") + "/m=00/PT1H" + e
		specs = append(specs, &fileSpec{cloud: model.Azure, kind: kindActivity, rel: rel, start: hour, window: time.Hour, target: sz, acct: sub, plain: plain})
		left -= sz
	}

	// GCP: hourly objects from an organisation sink, 1-3 shards an hour.
	gcpHours := func(total int64, kind fileKind, log string) {
		hour := o.Start
		for left := total; left > 0; hour = hour.Add(time.Hour) {
			shards := r.between(1, 3)
			for s := 0; s < shards && left > 0; s++ {
				sz := min(logUniform(r, 100<<10, 6<<20), left)
				e, plain := ext(true)
				rel := "cloudaudit.googleapis.com/" + log + "/" + hour.Format("2006/01/02") + "/" +
					hour.Format("15") + ":00:00_" + hour.Format("15") + ":59:59_S" + strconv.Itoa(s) + e
				specs = append(specs, &fileSpec{cloud: model.GCP, kind: kind, rel: rel, start: hour, window: time.Hour, target: sz, plain: plain})
				left -= sz
			}
		}
	}
	dataBytes := int64(float64(gcpBytes) * gcpDataShare)
	gcpHours(gcpBytes-dataBytes, kindGCPAdmin, "activity")
	if dataBytes < 1 && gcpBytes > 0 && o.PlantRate > 0 {
		dataBytes = 1 // room for the data_access decoy
	}
	gcpHours(dataBytes, kindGCPData, "data_access")

	// Planted events.
	if o.PlantRate > 0 {
		byCloud := map[model.Cloud]int64{model.AWS: awsBytes, model.Azure: azureBytes, model.GCP: gcpBytes}
		for _, cloud := range []model.Cloud{model.AWS, model.Azure, model.GCP} {
			if byCloud[cloud] <= 0 {
				continue
			}
			want := int(math.Ceil(float64(byCloud[cloud]) / avgRecordBytes[cloud] * o.PlantRate))
			for _, kind := range []Kind{Attack, Decoy} {
				var scs []*Scenario
				for i := range scenarios {
					if scenarios[i].Cloud == cloud && scenarios[i].Kind == kind {
						scs = append(scs, &scenarios[i])
					}
				}
				n := max(want, len(scs))
				for i := 0; i < n; i++ {
					sc := scs[i%len(scs)]
					var f *fileSpec
					if sc.fileKind() == kindInsight {
						f = awsFile(0, kindInsight)
						specs = append(specs, f)
					} else {
						f = pickByBytes(r, specs, sc.fileKind())
					}
					if f == nil {
						continue
					}
					f.plants = append(f.plants, plantSpec{sc: sc, frac: 0.02 + 0.96*r.Float64()})
				}
			}
		}
	}

	// CloudTrail digest files: a sample of the hourly digests that would
	// cover the trail files, which a scanner must recognise and skip.
	var trails []*fileSpec
	for _, s := range specs {
		if s.cloud == model.AWS && s.kind == kindTrail {
			trails = append(trails, s)
		}
	}
	for i := 0; i < len(trails); i += digestsPerTrail {
		s := trails[i]
		id := est.aws[s.acct].id
		t := s.start.Truncate(time.Hour).Add(time.Hour)
		e, _ := ext(false)
		rel := "AWSLogs/" + id + "/CloudTrail-Digest/" + s.region + "/" + t.Format("2006/01/02") + "/" +
			id + "_CloudTrail-Digest_" + s.region + "_org-trail_us-east-1_" + t.Format("20060102T150405Z") + e
		d := &fileSpec{cloud: model.AWS, kind: kindDigest, rel: rel, start: t, acct: s.acct, region: s.region}
		for j := i; j < min(i+digestsPerTrail, len(trails)); j++ {
			if trails[j].acct == s.acct && trails[j].region == s.region {
				d.digests = append(d.digests, trails[j].rel)
			}
		}
		specs = append(specs, d)
	}

	sort.SliceStable(specs, func(a, b int) bool { return specs[a].rel < specs[b].rel })
	specs = slices.CompactFunc(specs, func(a, b *fileSpec) bool { return a.rel == b.rel })
	for i, s := range specs {
		s.stream = 1000 + uint64(i)
		sort.SliceStable(s.plants, func(a, b int) bool { return s.plants[a].frac < s.plants[b].frac })
	}
	return specs
}

// weightedAccount favours the first accounts, as production accounts
// produce most of an organisation's trail.
func weightedAccount(r *rng) int {
	x := r.Float64()
	return min(int(x*x*numAWSAccounts), numAWSAccounts-1)
}

func logUniform(r *rng, lo, hi int64) int64 {
	return int64(math.Exp(math.Log(float64(lo)) + r.Float64()*(math.Log(float64(hi))-math.Log(float64(lo)))))
}

// pickByBytes chooses a file of the kind with probability proportional to
// its size, so planted events land where records are.
func pickByBytes(r *rng, specs []*fileSpec, kind fileKind) *fileSpec {
	var total int64
	for _, s := range specs {
		if s.kind == kind {
			total += max(s.target, 1)
		}
	}
	if total == 0 {
		return nil
	}
	x := r.Int64N(total)
	for _, s := range specs {
		if s.kind != kind {
			continue
		}
		x -= max(s.target, 1)
		if x < 0 {
			return s
		}
	}
	return nil
}

// fileWriter owns one worker's reusable buffers and compressors.
type fileWriter struct {
	compression string
	gz          *gzip.Writer
	zs          *zstd.Encoder
	buf         *bufio.Writer
	w           jw
}

func newFileWriter(compression string) *fileWriter {
	return &fileWriter{compression: compression, buf: bufio.NewWriterSize(nil, 256<<10)}
}

// countWriter counts what reaches the file.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// chain is the not-yet-written tail of a multi-record operation.
type chain struct {
	recs []plantRec
	ev   int // index into the file's events, -1 for background
}

func (fw *fileWriter) write(ctx context.Context, root string, s *fileSpec, est *estate, o CorpusOptions) (FileInfo, []PlantedEvent, error) {
	info := FileInfo{Path: s.rel, Cloud: s.cloud, Kind: string(s.kind)}
	path := filepath.Join(root, filepath.FromSlash(s.rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return info, nil, fmt.Errorf("create directory for %s: %w", s.rel, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return info, nil, fmt.Errorf("create %s: %w", s.rel, err)
	}
	defer f.Close()
	cw := &countWriter{w: f}
	fw.buf.Reset(cw)
	var out io.Writer = fw.buf
	var closer io.Closer
	if !s.plain && o.Compression != CompressNone {
		switch o.Compression {
		case CompressZstd:
			if fw.zs == nil {
				fw.zs, err = zstd.NewWriter(fw.buf, zstd.WithEncoderConcurrency(1))
				if err != nil {
					return info, nil, fmt.Errorf("zstd writer: %w", err)
				}
			} else {
				fw.zs.Reset(fw.buf)
			}
			out, closer = fw.zs, fw.zs
		default:
			if fw.gz == nil {
				fw.gz, _ = gzip.NewWriterLevel(fw.buf, gzip.DefaultCompression)
			} else {
				fw.gz.Reset(fw.buf)
			}
			out, closer = fw.gz, fw.gz
		}
	}
	evs, err := fw.body(ctx, out, s, est, &info)
	if err != nil {
		return info, nil, fmt.Errorf("write %s: %w", s.rel, err)
	}
	if closer != nil {
		if err := closer.Close(); err != nil {
			return info, nil, fmt.Errorf("compress %s: %w", s.rel, err)
		}
	}
	if err := fw.buf.Flush(); err != nil {
		return info, nil, fmt.Errorf("write %s: %w", s.rel, err)
	}
	if err := f.Close(); err != nil {
		return info, nil, fmt.Errorf("close %s: %w", s.rel, err)
	}
	info.Stored = cw.n
	return info, evs, nil
}

// body writes the file's records: background traffic up to the target
// size, with the planted operations at their positions.
func (fw *fileWriter) body(ctx context.Context, out io.Writer, s *fileSpec, est *estate, info *FileInfo) ([]PlantedEvent, error) {
	r := newRNG(est.seedFor(s), s.stream)
	w := &fw.w
	w.reset()
	if s.kind == kindDigest {
		writeDigest(w, r, s, est)
		info.Bytes = int64(len(w.b))
		_, err := out.Write(w.b)
		return nil, err
	}

	var (
		awsG   *awsGen
		azureG *azureGen
		gcpG   *gcpGen
	)
	lines := true
	switch s.cloud {
	case model.AWS:
		awsG = newAWSGen(r, est.aws[s.acct], s.region)
		lines = false
		w.b = append(w.b, `{"Records":[`...)
	case model.Azure:
		azureG = newAzureGen(r, est.azure[s.acct])
	default:
		gcpG = newGCPGen(r, est.gcp, s.kind == kindGCPData)
	}

	var (
		written  int64 // uncompressed bytes already flushed
		records  int64
		events   []PlantedEvent
		chains   []chain
		next     int
		flushErr error
	)
	size := func() int64 { return written + int64(len(w.b)) }
	flush := func() {
		if flushErr != nil || len(w.b) == 0 {
			return
		}
		_, flushErr = out.Write(w.b)
		written += int64(len(w.b))
		w.b = w.b[:0]
	}
	// sep starts a new record in the envelope.
	sep := func() {
		if !lines && records > 0 {
			w.b = append(w.b, ',')
		}
	}
	end := func() {
		if lines {
			w.b = append(w.b, '\n')
		}
		records++
		if len(w.b) >= flushThreshold {
			flush()
		}
	}
	emit := func(data []byte, ev int) {
		sep()
		if ev >= 0 {
			events[ev].Records = append(events[ev].Records, records)
		}
		w.b = append(w.b, data...)
		end()
	}
	timeAt := func() time.Time {
		progress := 0.0
		if s.target > 0 {
			progress = math.Min(float64(size())/float64(s.target), 1)
		}
		t := s.start.Add(time.Duration(progress * float64(s.window)))
		if s.cloud == model.AWS {
			t = t.Add(time.Duration(r.IntN(60)-30) * time.Second)
		} else {
			t = t.Add(time.Duration(r.IntN(1000)) * time.Millisecond)
		}
		if t.Before(s.start) {
			t = s.start
		}
		return t
	}
	// afterRecord advances the chains by one record and writes the heads
	// whose wait is over.
	afterRecord := func() {
		for i := 0; i < len(chains); {
			c := &chains[i]
			c.recs[0].wait--
			if c.recs[0].wait < 0 {
				emit(c.recs[0].data, c.ev)
				c.recs = c.recs[1:]
				if len(c.recs) == 0 {
					chains = slices.Delete(chains, i, i+1)
					continue
				}
			}
			i++
		}
	}
	start := func(recs []plantRec, ev int) {
		emit(recs[0].data, ev)
		if len(recs) > 1 {
			chains = append(chains, chain{recs: recs[1:], ev: ev})
		}
	}

	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if flushErr != nil {
			return nil, flushErr
		}
		progress := 1.0
		if s.target > 0 {
			progress = float64(size()) / float64(s.target)
		}
		if next < len(s.plants) && s.plants[next].frac <= progress {
			sc := s.plants[next].sc
			next++
			t := timeAt()
			var recs []plantRec
			var ev PlantedEvent
			var err error
			switch s.cloud {
			case model.AWS:
				recs, ev, err = awsG.plant(sc, t)
			case model.Azure:
				recs, ev, err = azureG.plant(sc, t)
			default:
				recs, ev, err = gcpG.plant(sc, t)
			}
			if err != nil {
				return nil, err
			}
			ev.File = s.rel
			events = append(events, ev)
			start(recs, len(events)-1)
			afterRecord()
			continue
		}
		if size() >= s.target && next >= len(s.plants) {
			break
		}
		t := timeAt()
		switch s.cloud {
		case model.AWS:
			sep()
			awsG.background(w, t)
			end()
		case model.Azure:
			start(azureG.background(t), -1)
		default:
			start(gcpG.background(t), -1)
		}
		afterRecord()
	}
	// Finish open operations in order.
	for _, c := range chains {
		for _, rec := range c.recs {
			emit(rec.data, c.ev)
		}
	}
	if !lines {
		w.b = append(w.b, "]}"...)
	}
	flush()
	if flushErr != nil {
		return nil, flushErr
	}
	info.Bytes = written
	info.Records = records
	for i := range events {
		events[i].Time = events[i].Time.Truncate(time.Millisecond)
	}
	return events, nil
}

// seedFor returns the corpus seed; kept as a method so every file's stream
// derivation is in one place.
func (e *estate) seedFor(*fileSpec) uint64 { return e.seed }

// writeDigest writes a CloudTrail digest file: no records, only hashes
// of the log files of the previous hour.
func writeDigest(w *jw, r *rng, s *fileSpec, est *estate) {
	id := est.aws[s.acct].id
	w.obj()
	w.kstr("awsAccountId", id)
	w.kstr("digestStartTime", fmtTime(s.start.Add(-time.Hour), awsTime))
	w.kstr("digestEndTime", fmtTime(s.start, awsTime))
	w.kstr("digestS3Bucket", "org-cloudtrail-"+id)
	w.kstr("digestS3Object", s.rel)
	w.kstr("digestPublicKeyFingerprint", r.hex(32))
	w.kstr("digestSignatureAlgorithm", "SHA256withRSA")
	w.kstr("newestEventTime", fmtTime(s.start.Add(-time.Minute), awsTime))
	w.kstr("oldestEventTime", fmtTime(s.start.Add(-time.Hour), awsTime))
	w.kstr("previousDigestS3Bucket", "org-cloudtrail-"+id)
	w.kstr("previousDigestS3Object", strings.Replace(s.rel, s.start.Format("20060102T150405Z"), s.start.Add(-time.Hour).Format("20060102T150405Z"), 1))
	w.kstr("previousDigestHashValue", r.hex(64))
	w.kstr("previousDigestHashAlgorithm", "SHA-256")
	w.kstr("previousDigestSignature", r.hex(512))
	w.karr("logFiles")
	for _, lf := range s.digests {
		w.obj()
		w.kstr("s3Bucket", "org-cloudtrail-"+id)
		w.kstr("s3Object", lf)
		w.kstr("hashValue", r.hex(64))
		w.kstr("hashAlgorithm", "SHA-256")
		w.kstr("newestEventTime", fmtTime(s.start.Add(-time.Minute), awsTime))
		w.kstr("oldestEventTime", fmtTime(s.start.Add(-time.Hour), awsTime))
		w.end()
	}
	w.endArr()
	w.end()
}

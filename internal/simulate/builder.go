package simulate

import (
	"fmt"
	"time"

	"cloudwall/internal/model"
)

// Builder makes single records outside a corpus, for simulators and
// tests that feed records to the real parsers one at a time. A Builder is
// deterministic for its seed and the sequence of calls, and is not safe
// for concurrent use.
type Builder struct {
	r     *rng
	est   *estate
	aws   map[string]*awsAccount
	azure map[string]*azureSub
	gcp   map[string]*gcpProject
}

// NewBuilder returns a Builder whose principals and resources come from
// the same estate a corpus with this seed uses.
func NewBuilder(seed uint64) *Builder {
	return &Builder{
		r:     newRNG(seed, 7),
		est:   newEstate(seed),
		aws:   map[string]*awsAccount{},
		azure: map[string]*azureSub{},
		gcp:   map[string]*gcpProject{},
	}
}

func (b *Builder) time(env Env) time.Time {
	if env.Time.IsZero() {
		return time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC)
	}
	return env.Time.UTC()
}

// awsGen returns a generator for env's account and region; an account id
// the estate does not have gets a copy of the first account's cast.
func (b *Builder) awsGen(env Env) *awsGen {
	acct := b.est.aws[0]
	if env.Account != "" {
		if b.aws[env.Account] == nil {
			cp := *b.est.aws[0]
			cp.id = env.Account
			b.aws[env.Account] = &cp
		}
		acct = b.aws[env.Account]
	}
	region := env.Region
	if region == "" {
		region = "us-east-1"
	}
	return newAWSGen(b.r, acct, region)
}

func (b *Builder) azureGen(env Env) *azureGen {
	sub := b.est.azure[0]
	if env.Account != "" {
		if b.azure[env.Account] == nil {
			cp := *b.est.azure[0]
			cp.id = env.Account
			b.azure[env.Account] = &cp
		}
		sub = b.azure[env.Account]
	}
	g := newAzureGen(b.r, sub)
	if env.Region != "" {
		g.location = env.Region
	}
	return g
}

func (b *Builder) gcpGen(env Env, data bool) *gcpGen {
	projects := b.est.gcp
	if env.Account != "" {
		if b.gcp[env.Account] == nil {
			cp := *b.est.gcp[0]
			cp.id = env.Account
			b.gcp[env.Account] = &cp
		}
		projects = []*gcpProject{b.gcp[env.Account]}
	}
	return newGCPGen(b.r, projects, data)
}

// AWSRecord returns one ordinary CloudTrail record (compact JSON), drawn
// from the same weighted mix of management events a corpus uses.
func (b *Builder) AWSRecord(env Env) []byte {
	var w jw
	b.awsGen(env).background(&w, b.time(env))
	return w.b
}

// AzureRecords returns the resource-log records of one ordinary Activity
// Log operation (Start and Success, or one Policy record).
func (b *Builder) AzureRecords(env Env) [][]byte {
	return datas(b.azureGen(env).background(b.time(env)))
}

// GCPRecords returns the Admin Activity entries of one ordinary call (one
// entry, or first and last of a long-running operation).
func (b *Builder) GCPRecords(env Env) [][]byte {
	return datas(b.gcpGen(env, false).background(b.time(env)))
}

// Plant returns the records of a named scenario (see Scenarios) and its
// description; the description's File and Records are left empty.
func (b *Builder) Plant(scenario string, env Env) ([][]byte, PlantedEvent, error) {
	sc, err := scenarioByName(scenario)
	if err != nil {
		return nil, PlantedEvent{}, err
	}
	t := b.time(env)
	var recs []plantRec
	var ev PlantedEvent
	switch sc.Cloud {
	case model.AWS:
		recs, ev, err = b.awsGen(env).plant(sc, t)
	case model.Azure:
		recs, ev, err = b.azureGen(env).plant(sc, t)
	case model.GCP:
		recs, ev, err = b.gcpGen(env, sc.fileKind() == kindGCPData).plant(sc, t)
	default:
		err = fmt.Errorf("scenario %q has unknown cloud %q", scenario, sc.Cloud)
	}
	if err != nil {
		return nil, PlantedEvent{}, err
	}
	return datas(recs), ev, nil
}

func datas(recs []plantRec) [][]byte {
	out := make([][]byte, len(recs))
	for i, r := range recs {
		out[i] = r.data
	}
	return out
}

// AWSRecord returns one ordinary CloudTrail record; see Builder.AWSRecord.
func AWSRecord(seed uint64, env Env) []byte { return NewBuilder(seed).AWSRecord(env) }

// AzureRecords returns one ordinary Azure operation's records; see
// Builder.AzureRecords.
func AzureRecords(seed uint64, env Env) [][]byte { return NewBuilder(seed).AzureRecords(env) }

// GCPRecords returns one ordinary GCP call's entries; see
// Builder.GCPRecords.
func GCPRecords(seed uint64, env Env) [][]byte { return NewBuilder(seed).GCPRecords(env) }

// Plant returns a scenario's records; see Builder.Plant.
func Plant(seed uint64, scenario string, env Env) ([][]byte, PlantedEvent, error) {
	return NewBuilder(seed).Plant(scenario, env)
}

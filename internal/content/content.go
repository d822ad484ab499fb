// Package content holds cloudwall's detection content as data: the
// catalogue of firewall operations per cloud, the sensitive ports, the
// severity weights, the signatures of infrastructure-as-code and
// service-linked callers, and the investigation and response guidance for
// each operation.
//
// The defaults are YAML files embedded in the binary (operations.yaml,
// ports.yaml, severity.yaml, automation.yaml). Users extend or replace
// them with their own YAML files through Load, in the same schema; every
// file may hold any of the top-level sections:
//
//	classes:    port classes (admin, database, ...)
//	ports:      sensitive ports, each with a class
//	severity:   severity weights (exposure tables, outcome and automation adjustments, settings)
//	scopes:     how peers are sized (prefix widths, private ranges, Azure service tags)
//	automation: signatures of IaC tools and cloud services acting for a principal
//	operations: the operation catalogue
//	attempts:   guidance for failed and dry-run calls, per cloud
//	closings:   guidance for changes that only close access, per cloud
//	correlations: the rules that link findings (mass change, failed then succeeded, ...)
//
// Entries of a later file replace entries of an earlier one with the same
// identity (an operation or signature id, a class or port name, a severity
// table cell) and are appended otherwise.
//
// Files are decoded strictly: an unknown key is an error, and every error
// names the file and line. Content is data only; the logic that reads it
// lives in package detect. A *Content is never modified once returned, so it
// is safe for concurrent use; callers must not modify it either.
package content

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"cloudwall/internal/model"
)

//go:embed operations.yaml ports.yaml severity.yaml automation.yaml correlations.yaml
var embedded embed.FS

// defaultFiles lists the embedded files in load order: classes before the
// ports and severity cells that name them.
func defaultFiles() []string {
	return []string{"ports.yaml", "severity.yaml", "automation.yaml", "operations.yaml", "correlations.yaml"}
}

// Content is the compiled detection content.
type Content struct {
	// Operations is the catalogue, in file order.
	Operations []Operation
	// Classes are the port classes that Ports and the severity tables name.
	Classes []Class
	// Ports are the sensitive ports.
	Ports []Port
	// Severity holds the weights that turn an assessment into a severity.
	Severity Weights
	// Scopes says how a rule's peers are sized.
	Scopes Scopes
	// Automation lists the signatures of IaC and service-linked callers.
	Automation []Signature
	// Attempts is the guidance a failed or dry-run call gets instead of its
	// operation's, per cloud: what the caller tried and why it may hold or
	// lack the permission, rather than how to undo a change that did not
	// happen.
	Attempts map[model.Cloud]Guidance
	// Closings is the guidance a change that took effect and only closes
	// access (a deny rule added, an allow rule removed, a setting that
	// hardens) gets instead of its operation's, per cloud: confirm it was
	// intended and broke nothing, rather than contain an exposure that
	// does not exist. A remove of allow-only rules (a revoke) keeps its
	// own guidance, which is written for a closing.
	Closings map[model.Cloud]Guidance
	// Correlations are the rules that link findings, in file order.
	Correlations []Correlation

	// byKey indexes Operations by lower-case OperationKey.
	byKey map[string]int
	// classes indexes Classes by name.
	classes map[string]int
	// sources are the files this content was built from, so that Load can
	// rebuild from them without sharing or deep-copying compiled state.
	sources []source
}

// source is one YAML file: its name for error messages and its bytes.
type source struct {
	name string
	data []byte
}

// Default returns the embedded default content.
func Default() (*Content, error) {
	var srcs []source
	for _, name := range defaultFiles() {
		data, err := embedded.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read embedded %s: %w", name, err)
		}
		srcs = append(srcs, source{name: name, data: data})
	}
	return build(srcs)
}

// Load returns base extended by the YAML files at paths, applied in order.
// A nil base means Default(). base itself is not modified. Every error
// names the file and line it comes from; all errors found are returned
// together.
func Load(base *Content, paths ...string) (*Content, error) {
	if base == nil {
		var err error
		if base, err = Default(); err != nil {
			return nil, err
		}
	}
	srcs := slices.Clip(base.sources)
	for _, p := range paths {
		data, err := readFile(p)
		if err != nil {
			return nil, fmt.Errorf("load content: %w", err)
		}
		srcs = append(srcs, source{name: p, data: data})
	}
	return build(srcs)
}

// maxFileSize bounds a content file. The embedded catalogue is about
// 100 KiB; a file many times that is a wrong path (a log, an archive),
// not content, and is refused before it is parsed.
const maxFileSize = 4 << 20

// readFile reads a content file of at most maxFileSize bytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s: larger than %d MiB; not a content file", path, maxFileSize>>20)
	}
	return data, nil
}

// Parse is Load for content that is already in memory: name is used in
// error messages in place of a path. It lets tests and callers that read
// content from elsewhere (an archive, an HTTP body) use the same rules.
func Parse(base *Content, name string, data []byte) (*Content, error) {
	if base == nil {
		var err error
		if base, err = Default(); err != nil {
			return nil, err
		}
	}
	srcs := append(slices.Clip(base.sources), source{name: name, data: data})
	return build(srcs)
}

// build decodes and merges srcs in order, then validates the result.
func build(srcs []source) (*Content, error) {
	b := newBuilder()
	var errs []error
	for _, s := range srcs {
		if err := b.add(s); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c, err := b.compile()
	if err != nil {
		return nil, err
	}
	c.sources = srcs
	return c, nil
}

// Operation returns the catalogue entry for an OperationKey, compared
// case-insensitively.
func (c *Content) Operation(key string) (*Operation, bool) {
	i, ok := c.byKey[strings.ToLower(strings.TrimSpace(key))]
	if !ok {
		return nil, false
	}
	return &c.Operations[i], true
}

// OperationKeys returns every catalogued OperationKey, lower case and
// sorted. The normalize prefilter uses it to skip records cheaply.
func (c *Content) OperationKeys() []string {
	keys := make([]string, 0, len(c.byKey))
	for k := range c.byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Class returns the port class with the given name.
func (c *Content) Class(name string) (Class, bool) {
	i, ok := c.classes[name]
	if !ok {
		return Class{}, false
	}
	return c.Classes[i], true
}

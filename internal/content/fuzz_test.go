package content

import (
	"strings"
	"testing"
)

// FuzzLoad loads a user's content file (YAML written by hand, or a wrong
// file passed to --content): it must never panic, and content it accepts
// must be usable (every operation reachable by its key).
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"ports:\n  - {name: myapp, port: 8443, protocol: tcp, class: admin}\n",
		"automation:\n  - id: ci\n    name: CI\n    tag: iac\n    match: {actor: [\"role/ci\"]}\n",
		"severity:\n  automation:\n    step: 2\n    world_floor: medium\n",
		"scopes:\n  ipv4: {world: 1, wide: 8}\n",
		"operations:\n  - id: x\n    cloud: aws\n    keys: [ec2:x]\n    resource: security_group\n    kind: rules\n    severity: low\n    title: t\n",
		"classes: [{name: c, label: C}]\n",
		"a: &a [*a]\n", "{{{{", "- - - -", "ports: !!binary AAAA", "operations: [" + strings.Repeat("[", 100),
	} {
		f.Add(s)
	}
	// The file alone, not on top of the defaults: rebuilding the embedded
	// catalogue for every input would leave the fuzzer a few runs a second.
	f.Fuzz(func(t *testing.T, data string) {
		b := newBuilder()
		if err := b.add(source{name: "fuzz.yaml", data: []byte(data)}); err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		c, err := b.compile()
		if err != nil {
			return // incomplete on its own: the defaults would fill it
		}
		for _, k := range c.OperationKeys() {
			if _, ok := c.Operation(k); !ok {
				t.Errorf("operation key %q listed but not found", k)
			}
		}
	})
}

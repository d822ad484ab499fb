package attack

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// lifecycle names, per cloud, how a detonation creates and deletes the
// things it touches: the first group of each expression is the thing's
// name (or the shell variable holding its id).
var lifecycle = map[model.Cloud]struct{ create, remove []*regexp.Regexp }{
	model.AWS: {
		create: []*regexp.Regexp{
			regexp.MustCompile(`^(SG_\w+)=\$\(aws ec2 create-security-group `),
			regexp.MustCompile(`^(ACL)=\$\(aws ec2 create-network-acl `),
			regexp.MustCompile(`^aws network-firewall create-firewall --firewall-name (\S+)`),
			regexp.MustCompile(`^POLICY=\$\(aws network-firewall create-firewall-policy --firewall-policy-name (\S+)`),
		},
		remove: []*regexp.Regexp{
			regexp.MustCompile(`^aws ec2 delete-security-group --group-id "\$(\w+)"`),
			regexp.MustCompile(`^aws ec2 delete-network-acl --network-acl-id "\$(\w+)"`),
			regexp.MustCompile(`^aws network-firewall delete-firewall --firewall-name (\S+)`),
			regexp.MustCompile(`^aws network-firewall delete-firewall-policy --firewall-policy-name (\S+)`),
		},
	},
	model.Azure: {
		create: []*regexp.Regexp{
			regexp.MustCompile(`^az group create --name "\$RG"`),
			regexp.MustCompile(`^az network nsg create --resource-group "\$RG" --name (\S+)`),
			regexp.MustCompile(`^az network firewall create --resource-group "\$RG" --name (\S+)`),
		},
		remove: []*regexp.Regexp{
			regexp.MustCompile(`^az group delete --name "\$RG"`),
			regexp.MustCompile(`^az network firewall delete --resource-group "\$RG" --name (\S+)`),
		},
	},
	model.GCP: {
		create: []*regexp.Regexp{regexp.MustCompile(`^gcloud compute firewall-rules create (\S+)`)},
		remove: []*regexp.Regexp{regexp.MustCompile(`^gcloud compute firewall-rules delete (\S+)`)},
	},
}

func matchName(res []*regexp.Regexp, line string) (string, bool) {
	for _, re := range res {
		if m := re.FindStringSubmatch(line); m != nil {
			if len(m) > 1 {
				return m[1], true
			}
			return "", true
		}
	}
	return "", false
}

// Every detonation deletes only what it created before (deleting a
// firewall that does not exist is a failed call, not the change the story
// claims), and leaves nothing it created behind: what setup and detonate
// create, detonate or cleanup deletes (on Azure the resource group, with
// everything in it).
func TestDetonationCreatesWhatItDeletesAndCleansUp(t *testing.T) {
	for _, s := range Scenarios() {
		for _, cloud := range s.Clouds {
			t.Run(s.Name+"/"+string(cloud), func(t *testing.T) {
				cmds, err := Detonation(s, cloud)
				if err != nil {
					t.Fatal(err)
				}
				lc := lifecycle[cloud]
				created := map[string]bool{}
				removedAll := false
				for _, l := range slices.Concat(cmds.Setup, cmds.Detonate, cmds.Cleanup) {
					if name, ok := matchName(lc.create, l); ok {
						created[name] = true
						continue
					}
					name, ok := matchName(lc.remove, l)
					if !ok {
						continue
					}
					if cloud == model.Azure && strings.HasPrefix(l, "az group delete") {
						removedAll = true
						continue
					}
					if !created[name] {
						t.Errorf("deletes %s, which no earlier line created: %s", name, l)
					}
					delete(created, name)
				}
				if cloud == model.Azure {
					if !removedAll {
						t.Errorf("the resource group is not deleted")
					}
					return
				}
				for name := range created {
					t.Errorf("%s is created and never deleted", name)
				}
			})
		}
	}
}

// Every call of a story is in its detonation: a denied attempt as a
// comment naming the command to run as a principal without the
// permission (before, the failed-then-succeeded detonation left its
// denied attempts out, so running it gave no failed-then-succeeded), the
// others as lines of their own.
func TestDetonationHasEveryCall(t *testing.T) {
	for _, s := range Scenarios() {
		for _, cloud := range s.Clouds {
			t.Run(s.Name+"/"+string(cloud), func(t *testing.T) {
				cmds, err := Detonation(s, cloud)
				if err != nil {
					t.Fatal(err)
				}
				d := detonators[cloud]
				for _, st := range s.Steps {
					for _, l := range d.step(st) {
						found := slices.ContainsFunc(cmds.Detonate, func(c string) bool {
							if st.Denied {
								return strings.HasPrefix(c, "# ") && strings.HasSuffix(c, ": "+l) && strings.Contains(c, "denies")
							}
							return c == l
						})
						if !found {
							t.Errorf("step at %s (%s, denied %v) is not in the detonation: %s", st.At, st.Action, st.Denied, l)
						}
					}
				}
			})
		}
	}
}

package attack

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"cloudwall/internal/model"
)

// Commands is how to detonate a scenario in a sandbox account by hand, in
// the manner of Atomic Red Team tests: set up what the story needs,
// detonate, clean up. Every line runs as printed in a POSIX shell with the
// cloud's CLI signed in to a sandbox; values the sandbox decides are shell
// variables set by an earlier line.
type Commands struct {
	Setup, Detonate, Cleanup []string
	// Stratus is the Stratus Red Team technique id, where one exists.
	Stratus string
}

// Detonation returns the commands for scenario s in cloud c.
func Detonation(s Scenario, c model.Cloud) (Commands, error) {
	if !s.Supports(c) {
		return Commands{}, fmt.Errorf("scenario %s does not exist for %s (it does for %v)", s.Name, c, s.Clouds)
	}
	d := detonators[c]
	cmds := Commands{Stratus: s.Stratus[c]}
	cmds.Setup = d.setup(s)
	targets := map[string]bool{}
	firewall := false
	denied, deniedAt := map[string]int{}, map[string]int{}
	var deniedOrder []string
	for _, st := range s.Steps {
		if st.Action == Delete && !firewall {
			// The firewall the story deletes must exist first: deleting
			// one that does not is a failed call, not the change.
			firewall = true
			cmds.Setup = append(cmds.Setup, d.firewall()...)
		}
		if st.Action != Describe && st.Action != Delete && st.Action != AllowAll && !targets[target(st)] {
			targets[target(st)] = true
			cmds.Setup = append(cmds.Setup, d.target(st)...)
		}
		if st.Denied {
			// A denied attempt needs a principal without the permission,
			// which a sandbox has no standard way to make: it is told as
			// a comment naming the command to run as that principal.
			for _, l := range d.step(st) {
				denied[l]++
				if denied[l] == 1 {
					deniedOrder = append(deniedOrder, l)
					cmds.Detonate = append(cmds.Detonate, "") // placeholder, filled below
					deniedAt[l] = len(cmds.Detonate) - 1
				}
			}
			continue
		}
		cmds.Detonate = append(cmds.Detonate, d.step(st)...)
	}
	for _, l := range deniedOrder {
		times := fmt.Sprintf("%d times", denied[l])
		if denied[l] == 1 {
			times = "once"
		}
		cmds.Detonate[deniedAt[l]] = fmt.Sprintf("# %s, as a principal without the permission (the cloud denies it), from the address the next lines run from: %s", times, l)
	}
	cmds.Cleanup = d.cleanup(s, targets)
	return cmds, nil
}

type detonator interface {
	setup(s Scenario) []string
	target(st Step) []string
	// firewall creates the firewall a Delete step removes.
	firewall() []string
	step(st Step) []string
	cleanup(s Scenario, targets map[string]bool) []string
}

var detonators = map[model.Cloud]detonator{model.AWS: awsDetonator{}, model.Azure: azureDetonator{}, model.GCP: gcpDetonator{}}

func sgVar(st Step) string { return "SG_" + strings.ToUpper(target(st)) }

type awsDetonator struct{}

func (awsDetonator) setup(s Scenario) []string {
	return []string{`VPC=$(aws ec2 describe-vpcs --filters Name=is-default,Values=true --query 'Vpcs[0].VpcId' --output text)`}
}

func (awsDetonator) target(st Step) []string {
	return []string{fmt.Sprintf(`%s=$(aws ec2 create-security-group --group-name cloudwall-sim-%s --description "cloudwall simulation" --vpc-id "$VPC" --query GroupId --output text)`, sgVar(st), target(st))}
}

// An AWS Network Firewall needs a policy and a subnet of the VPC; it is
// provisioned for some minutes before it can be deleted, and its policy
// can be deleted only once the firewall is gone.
const (
	awsFirewallName = "cloudwall-sim-fw"
	awsFirewallWait = `# wait until it is READY (some minutes): aws network-firewall describe-firewall --firewall-name ` + awsFirewallName + ` --query FirewallStatus.Status --output text`
)

func (awsDetonator) firewall() []string {
	return []string{
		`SUBNET=$(aws ec2 describe-subnets --filters Name=vpc-id,Values="$VPC" --query 'Subnets[0].SubnetId' --output text)`,
		`POLICY=$(aws network-firewall create-firewall-policy --firewall-policy-name cloudwall-sim-policy --firewall-policy '{"StatelessDefaultActions":["aws:forward_to_sfe"],"StatelessFragmentDefaultActions":["aws:forward_to_sfe"]}' --query FirewallPolicyResponse.FirewallPolicyArn --output text)`,
		`aws network-firewall create-firewall --firewall-name ` + awsFirewallName + ` --firewall-policy-arn "$POLICY" --vpc-id "$VPC" --subnet-mappings SubnetId="$SUBNET"`,
		awsFirewallWait,
	}
}

func awsPort(st Step) string {
	if st.Port == 0 {
		return "--protocol all"
	}
	return fmt.Sprintf("--protocol tcp --port %d", st.Port)
}

func (awsDetonator) step(st Step) []string {
	switch st.Action {
	case OpenIngress, Benign:
		return []string{fmt.Sprintf(`aws ec2 authorize-security-group-ingress --group-id "$%s" %s --cidr %s`, sgVar(st), awsPort(st), peerOf(st))}
	case CloseIngress:
		return []string{fmt.Sprintf(`aws ec2 revoke-security-group-ingress --group-id "$%s" %s --cidr %s`, sgVar(st), awsPort(st), peerOf(st))}
	case OpenEgress:
		return []string{fmt.Sprintf(`aws ec2 authorize-security-group-egress --group-id "$%s" --ip-permissions 'IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]'`, sgVar(st))}
	case RestrictEgress:
		return []string{fmt.Sprintf(`aws ec2 revoke-security-group-egress --group-id "$%s" --ip-permissions 'IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]'`, sgVar(st))}
	case AllowAll:
		return []string{
			`ACL=$(aws ec2 create-network-acl --vpc-id "$VPC" --query NetworkAcl.NetworkAclId --output text)`,
			`aws ec2 create-network-acl-entry --network-acl-id "$ACL" --ingress --rule-number 1 --protocol -1 --cidr-block 0.0.0.0/0 --rule-action allow`,
		}
	case Delete:
		return []string{`aws network-firewall delete-firewall --firewall-name ` + awsFirewallName}
	case Describe:
		return []string{`aws ec2 describe-security-groups --filters Name=group-name,Values='cloudwall-sim-*'`}
	}
	return nil
}

func (awsDetonator) cleanup(s Scenario, targets map[string]bool) []string {
	var out []string
	for _, st := range s.Steps {
		if st.Action == AllowAll {
			out = append(out, `aws ec2 delete-network-acl --network-acl-id "$ACL"`)
			break
		}
	}
	for _, t := range sortedKeys(targets) {
		out = append(out, fmt.Sprintf(`aws ec2 delete-security-group --group-id "$%s"`, sgVar(Step{Target: t})))
	}
	if slices.ContainsFunc(s.Steps, func(st Step) bool { return st.Action == Delete }) {
		out = append(out,
			`# wait until the firewall is gone (ResourceNotFoundException): aws network-firewall describe-firewall --firewall-name `+awsFirewallName,
			`aws network-firewall delete-firewall-policy --firewall-policy-name cloudwall-sim-policy`)
	}
	return out
}

type azureDetonator struct{}

func (azureDetonator) setup(s Scenario) []string {
	return []string{`RG=cloudwall-sim-rg`, `az group create --name "$RG" --location westeurope`}
}

func (azureDetonator) target(st Step) []string {
	return []string{fmt.Sprintf(`az network nsg create --resource-group "$RG" --name nsg-%s`, target(st))}
}

// An Azure Firewall is in the azure-firewall extension; one without an IP
// configuration is enough to be deleted. The resource group's deletion
// removes it if the story did not.
func (azureDetonator) firewall() []string {
	return []string{`az extension add --name azure-firewall`, `az network firewall create --resource-group "$RG" --name cloudwall-sim-fw`}
}

func (azureDetonator) step(st Step) []string {
	name := ruleName(st)
	switch st.Action {
	case OpenIngress, Benign:
		proto, src := "Tcp", peerOf(st)
		if st.Port == 0 {
			proto = "'*'"
		}
		if src == "0.0.0.0/0" {
			src = "'*'"
		}
		return []string{fmt.Sprintf(`az network nsg rule create --resource-group "$RG" --nsg-name nsg-%s --name %s --priority %d --direction Inbound --access Allow --protocol %s --source-address-prefixes %s --destination-port-ranges '%s'`,
			target(st), name, 100+st.Port%3000, proto, src, portText(st.Port))}
	case CloseIngress:
		open := st
		open.Action = OpenIngress
		return []string{fmt.Sprintf(`az network nsg rule delete --resource-group "$RG" --nsg-name nsg-%s --name %s`, target(st), ruleName(open))}
	case OpenEgress:
		return []string{fmt.Sprintf(`az network nsg rule create --resource-group "$RG" --nsg-name nsg-%s --name %s --priority 110 --direction Outbound --access Allow --protocol '*' --destination-address-prefixes Internet --destination-port-ranges '*'`, target(st), name)}
	case Delete:
		return []string{`az network firewall delete --resource-group "$RG" --name cloudwall-sim-fw`}
	}
	return nil
}

func (azureDetonator) cleanup(Scenario, map[string]bool) []string {
	return []string{`az group delete --name "$RG" --yes`}
}

type gcpDetonator struct{}

func (gcpDetonator) setup(Scenario) []string { return nil }

func (gcpDetonator) target(Step) []string { return nil }

// firewall: the GCP story creates the deny rule it disables as it goes.
func (gcpDetonator) firewall() []string { return nil }

func (gcpDetonator) step(st Step) []string {
	name := "cloudwall-sim-" + ruleName(st)
	switch st.Action {
	case OpenIngress, Benign:
		rules := fmt.Sprintf("tcp:%d", st.Port)
		if st.Port == 0 {
			rules = "all"
		}
		return []string{fmt.Sprintf(`gcloud compute firewall-rules create %s --network=default --direction=INGRESS --action=ALLOW --rules=%s --source-ranges=%s`, name, rules, peerOf(st))}
	case CloseIngress:
		open := st
		open.Action = OpenIngress
		return []string{fmt.Sprintf(`gcloud compute firewall-rules delete cloudwall-sim-%s --quiet`, ruleName(open))}
	case OpenEgress:
		return []string{fmt.Sprintf(`gcloud compute firewall-rules create %s --network=default --direction=EGRESS --action=ALLOW --rules=all --destination-ranges=0.0.0.0/0`, name)}
	case Delete:
		return []string{
			`gcloud compute firewall-rules create cloudwall-sim-deny --network=default --direction=INGRESS --action=DENY --rules=all --source-ranges=0.0.0.0/0 --priority=900`,
			`gcloud compute firewall-rules update cloudwall-sim-deny --disabled`,
		}
	case Describe:
		return []string{`gcloud compute firewall-rules list --filter='name~^cloudwall-sim-'`}
	}
	return nil
}

func (gcpDetonator) cleanup(s Scenario, _ map[string]bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, st := range s.Steps {
		var name string
		switch st.Action {
		case OpenIngress, Benign, OpenEgress:
			if st.Denied {
				continue
			}
			name = "cloudwall-sim-" + ruleName(st)
		case Delete:
			name = "cloudwall-sim-deny"
		default:
			continue
		}
		if st.Action == OpenEgress {
			eg := st
			eg.Port = 0
			name = "cloudwall-sim-" + ruleName(eg)
		}
		if closed(s, st) || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, fmt.Sprintf(`gcloud compute firewall-rules delete %s --quiet`, name))
	}
	return out
}

// closed reports whether a later step already removes what st opened.
func closed(s Scenario, st Step) bool {
	for _, o := range s.Steps {
		if o.Action == CloseIngress && o.Port == st.Port && target(o) == target(st) && o.At > st.At {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }

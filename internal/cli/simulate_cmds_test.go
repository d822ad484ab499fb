package cli

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/attack"
	"cloudwall/internal/model"
)

// cliShape is a command with its values dropped: the command words and the
// flags, which is what an argument parser checks.
func cliShape(line string) string {
	var keep []string
	for _, w := range strings.Fields(line) {
		if strings.HasPrefix(w, "--") {
			flag, _, _ := strings.Cut(w, "=")
			keep = append(keep, flag)
		} else if len(keep) < 4 && !strings.ContainsAny(w, `"'$=`) {
			keep = append(keep, w)
		}
	}
	return strings.Join(keep, " ")
}

// detonationLines lists the distinct command shapes the scenarios print
// for one cloud, one line each. A comment that names a command to run by
// hand ("# wait until ...: aws ...") gives that command.
func detonationLines(t *testing.T, cloud model.Cloud) []string {
	seen := map[string]bool{}
	var lines []string
	for _, s := range attack.Scenarios() {
		if !s.Supports(cloud) {
			continue
		}
		cmds, err := attack.Detonation(s, cloud)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range slices.Concat(cmds.Setup, cmds.Detonate, cmds.Cleanup) {
			if strings.HasPrefix(l, "#") {
				_, cmd, ok := strings.Cut(l, ": ")
				if !ok || !strings.HasPrefix(cmd, map[model.Cloud]string{model.AWS: "aws ", model.Azure: "az ", model.GCP: "gcloud "}[cloud]) {
					t.Fatalf("a comment among the %s commands names no command: %s", cloud, l)
				}
				l = cmd
			}
			if sh := cliShape(l); !seen[sh] {
				seen[sh] = true
				lines = append(lines, l)
			}
		}
	}
	return lines
}

func findCLI(t *testing.T, name string, extra ...string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, p := range extra {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed; CI must have it", name)
	}
	t.Skipf("%s is not installed (outside CI): the detonation commands are not checked against it", name)
	return ""
}

// runPrinted runs one printed line in bash with the CLI first on PATH and
// env set so that nothing can reach a cloud; it returns the output.
func runPrinted(t *testing.T, cli, line string, env []string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", line)
	dir := cli[:strings.LastIndex(cli, "/")]
	cmd.Env = append(os.Environ(), append(env, "PATH="+dir+":"+os.Getenv("PATH"))...)
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// TestDetonationCommandsParse runs every detonation command shape the
// scenarios print through the real AWS CLI and gcloud, pointed at a
// closed local port with dummy credentials: a valid command fails only on
// connecting or signing in; an unknown option, a missing argument or a bad
// value fails the test.
func TestDetonationCommandsParse(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real cloud CLIs")
	}
	parseErr := regexp.MustCompile(`(?i)unknown options|unrecognized arguments|invalid choice|usage:|argument .* is required|the following arguments are required|error parsing parameter|invalid value`)
	t.Run("aws", func(t *testing.T) {
		cli := findCLI(t, "aws", "/root/.pyenv/shims/aws")
		env := []string{"AWS_ACCESS_KEY_ID=AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY=x", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_ENDPOINT_URL=http://127.0.0.1:9", "AWS_MAX_ATTEMPTS=1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
			// what the setup lines would have set: some parameters have a
			// minimum length the CLI checks before it connects
			"VPC=vpc-0123456789abcdef0", "SUBNET=subnet-0123456789abcdef0",
			"POLICY=arn:aws:network-firewall:us-east-1:111122223333:firewall-policy/cloudwall-sim-policy"}
		for _, l := range detonationLines(t, model.AWS) {
			out := runPrinted(t, cli, l, env)
			if parseErr.MatchString(out) || !strings.Contains(out, "Could not connect to the endpoint URL") {
				t.Errorf("%s\n=> %s", l, out)
			}
		}
	})
	t.Run("gcloud", func(t *testing.T) {
		cli := findCLI(t, "gcloud")
		env := []string{"CLOUDSDK_CONFIG=" + t.TempDir(), "CLOUDSDK_CORE_DISABLE_PROMPTS=1", "CLOUDSDK_CORE_PROJECT=sandbox-1",
			"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE=http://127.0.0.1:9/compute/v1/"}
		for _, l := range detonationLines(t, model.GCP) {
			out := runPrinted(t, cli, l, env)
			if parseErr.MatchString(out) || !strings.Contains(out, "active account") {
				t.Errorf("%s\n=> %s", l, out)
			}
		}
	})
}

// azFlags lists, for each az command the scenarios print, the flags the
// Azure CLI reference documents (learn.microsoft.com/cli/azure: az group,
// az network nsg, az network nsg rule, az network firewall (azure-firewall
// extension), az extension). Debian's azure-cli cannot load its network
// module, so the flags are checked against this table.
var azFlags = map[string][]string{
	"az group create":            {"--name", "--location"},
	"az group delete":            {"--name", "--yes"},
	"az extension add":           {"--name"},
	"az network nsg create":      {"--resource-group", "--name"},
	"az network nsg rule create": {"--resource-group", "--nsg-name", "--name", "--priority", "--direction", "--access", "--protocol", "--source-address-prefixes", "--destination-address-prefixes", "--destination-port-ranges"},
	"az network nsg rule delete": {"--resource-group", "--nsg-name", "--name"},
	"az network firewall create": {"--resource-group", "--name"},
	"az network firewall delete": {"--resource-group", "--name"},
}

func TestDetonationCommandsAzureFlags(t *testing.T) {
	for _, l := range detonationLines(t, model.Azure) {
		if !strings.HasPrefix(l, "az ") {
			continue // shell assignments
		}
		words := strings.Fields(l)
		var name string
		for n := 5; n >= 3; n-- {
			if n <= len(words) {
				if _, ok := azFlags[strings.Join(words[:n], " ")]; ok {
					name = strings.Join(words[:n], " ")
					break
				}
			}
		}
		if name == "" {
			t.Errorf("unknown az command: %s", l)
			continue
		}
		for _, w := range words {
			if strings.HasPrefix(w, "--") && !slices.Contains(azFlags[name], w) {
				t.Errorf("%s: %s has no flag %s", l, name, w)
			}
		}
	}
}

package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// TestKubernetesAPIAllowlists: opening a managed cluster's API endpoint
// to the internet is judged like an administrative port opened to it
// (critical), a corporate or private range is low, turning the endpoint
// off is a closing (info), a denied call is an attempt, and calls that
// change something else, or only read, are not findings. Provenance of
// the records: ../normalize/{aws,gcp,azure}/testdata/REAL_SOURCES.md.
func TestKubernetesAPIAllowlists(t *testing.T) {
	const aws, gcp, az = "../normalize/aws/testdata/", "../normalize/gcp/testdata/", "../normalize/azure/testdata/"
	tests := []struct {
		file  string
		sev   model.Severity // ignored when title is ""
		title string         // "" for no finding
		tag   string         // a tag the finding must carry
		run   string         // a guidance command the finding must print
	}{
		{aws + "eks_update_cluster_config_world.json", model.Critical, "EKS cluster prod opened to the IPv4 internet on the Kubernetes API server (443/tcp, EKS)", "",
			"aws eks update-cluster-config --region eu-west-1 --name prod --resources-vpc-config endpointPublicAccess=true,publicAccessCidrs='<APPROVED_CIDRS>'"},
		{aws + "eks_create_cluster_default.json", model.Critical, "EKS cluster staging opened to the IPv4 internet on the Kubernetes API server (443/tcp, EKS)", "",
			"aws eks describe-cluster --region eu-west-1 --name staging --query cluster.resourcesVpcConfig"},
		{aws + "eks_update_cluster_config_corporate.json", model.Low, "EKS cluster prod opened to 198.51.100.0/24 on the Kubernetes API server (443/tcp, EKS)", "", ""},
		{aws + "eks_update_cluster_config_private_only.json", model.Info, "EKS cluster prod public API endpoint turned off", "", ""},
		{aws + "eks_update_cluster_config_denied.json", model.Low, "Attempt to open EKS cluster prod to the IPv4 internet on the Kubernetes API server (443/tcp, EKS) denied (AccessDeniedException)", "attempt", ""},
		{aws + "near_eks_update_cluster_config_logging.json", 0, "", "", ""},
		{aws + "near_eks_describe_cluster.json", 0, "", "", ""},
		{gcp + "gke_update_authnets_world.jsonl", model.Critical, "GKE cluster prod-gke opened to the IPv4 internet on the Kubernetes API server (443/tcp, GKE)", "",
			"gcloud container clusters update prod-gke --location europe-west1 --project acme-prod-7781 --enable-master-authorized-networks --master-authorized-networks '<APPROVED_CIDRS>'"},
		{gcp + "gke_update_authnets_disabled_beta.json", model.Critical, "GKE cluster prod-gke opened to the IPv4 internet on the Kubernetes API server (443/tcp, GKE)", "", ""},
		{gcp + "gke_update_endpoints_config_world.json", model.Critical, "GKE cluster prod-gke opened to the IPv4 internet on the Kubernetes API server (443/tcp, GKE)", "", ""},
		{gcp + "gke_update_authnets_corporate.json", model.Low, "GKE cluster prod-gke opened to 198.51.100.0/24 on the Kubernetes API server (443/tcp, GKE)", "", ""},
		{gcp + "gke_create_authnets_private.json", model.Low, "GKE cluster batch-gke opened to private range 10.0.0.0/8 on the Kubernetes API server (443/tcp, GKE)", "", ""},
		{gcp + "gke_update_authnets_denied.json", model.Low, "Attempt to open GKE cluster prod-gke to the IPv4 internet on the Kubernetes API server (443/tcp, GKE) denied (PERMISSION_DENIED)", "denied", ""},
		{gcp + "near_miss_gke_update_logging.json", 0, "", "", ""},
		{gcp + "near_miss_gke_get_cluster.json", 0, "", "", ""},
		{az + "aks_authorized_ranges_cleared.json", model.Critical, "AKS cluster AKS-PROD opened to the IPv4 internet on the Kubernetes API server (443/tcp, AKS)", "",
			"az aks update --resource-group RG-K8S --name AKS-PROD --api-server-authorized-ip-ranges '<APPROVED_CIDRS>'"},
		{az + "aks_authorized_ranges_corporate.json", model.Low, "AKS cluster AKS-PROD opened to 198.51.100.0/24 on the Kubernetes API server (443/tcp, AKS)", "", ""},
		{az + "nearmiss_aks_scale.json", 0, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file[strings.LastIndexByte(tt.file, '/')+1:], func(t *testing.T) {
			code, out, stderr := run(t, nil, "scan", "--no-store", "-q", "--format", "jsonl", "--min-severity", "info", tt.file)
			if code != ExitOK && code != ExitFindings {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			fs := findings(t, out)
			if tt.title == "" {
				if len(fs) != 0 {
					t.Fatalf("want no finding, got %q (%s)", fs[0].Title, fs[0].Rule)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("want one finding, got %d", len(fs))
			}
			f := fs[0]
			if f.Title != tt.title || f.Severity != tt.sev {
				t.Errorf("got %s %q, want %s %q", f.Severity, f.Title, tt.sev, tt.title)
			}
			if tt.tag != "" && !slices.Contains(f.Tags, tt.tag) {
				t.Errorf("tags %q, want %q", f.Tags, tt.tag)
			}
			if tt.run != "" {
				var runs []string
				for _, c := range f.Guidance.Commands {
					runs = append(runs, c.Run)
				}
				if !slices.Contains(runs, tt.run) {
					t.Errorf("commands:\n%s\nwant %s", strings.Join(runs, "\n"), tt.run)
				}
			}
		})
	}
}

// TestKubernetesAllowlistTimeline: each call sends the cluster's whole
// list, so the corporate list sent after the world-open one closes the
// internet's window.
func TestKubernetesAllowlistTimeline(t *testing.T) {
	const aws = "../normalize/aws/testdata/"
	code, out, stderr := run(t, nil, "timeline", "-q", "--format", "jsonl", "--min-severity", "info",
		aws+"eks_update_cluster_config_world.json", aws+"eks_update_cluster_config_corporate.json")
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var ft model.FirewallTimeline
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &ft); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if ft.Firewall.Type != "eks_cluster" || len(ft.Windows) != 1 || ft.Windows[0].End == nil ||
		!ft.Windows[0].End.Equal(time.Date(2026, 3, 14, 10, 5, 40, 0, time.UTC)) {
		t.Errorf("timeline: %s", out)
	}
}

// TestKubernetesAllowlistWindowRollback: the window a cluster created
// with EKS's default list opens is closed by turning its public endpoint
// off (the cluster had no list before it existed).
func TestKubernetesAllowlistWindowRollback(t *testing.T) {
	code, out, stderr := run(t, nil, "timeline", "-q", "--format", "jsonl", "--min-severity", "info",
		"../normalize/aws/testdata/eks_create_cluster_default.json")
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var ft model.FirewallTimeline
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &ft); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := "aws eks update-cluster-config --region eu-west-1 --name staging --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true"
	if len(ft.Windows) != 1 || !slices.Equal(ft.Windows[0].Rollback, []string{want}) {
		t.Errorf("windows: %+v, want one closed by %s", ft.Windows, want)
	}
}

// TestAKSRangesDroppedScan: a managedClusters PUT (a scale) whose body
// carries no authorized IP ranges, on a cluster an earlier call gave
// ranges, leaves its API server open to every address: scan reports the
// allowlist removed (high, as GKE's authorized networks turned off), its
// undo sets the earlier ranges back, and the timeline shows the window
// the finding names. The same PUT alone (ranges not known) stays no
// finding (TestKubernetesAPIAllowlists). Provenance:
// testdata/aks-ranges-dropped/README.md.
func TestAKSRangesDroppedScan(t *testing.T) {
	code, out, stderr := run(t, nil, "scan", "--no-store", "-q", "--format", "jsonl", "--min-severity", "info", "testdata/aks-ranges-dropped/logs")
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	fs := findings(t, out)
	i := slices.IndexFunc(fs, func(f model.Finding) bool { return strings.Contains(f.Title, "authorized IP ranges removed") })
	if len(fs) != 2 || i < 0 {
		for _, f := range fs {
			t.Logf("%s %s", f.Severity, f.Title)
		}
		t.Fatalf("want the ranges set and the ranges removed, got %d findings", len(fs))
	}
	f := fs[i]
	if f.Severity != model.High || f.Rule != "az-aks-authorized-ip-ranges" {
		t.Errorf("%s %s %q, want high az-aks-authorized-ip-ranges", f.Severity, f.Rule, f.Title)
	}
	undo := "az aks update --subscription 7D2A0C6E-3B1F-4D8E-9A55-2F0C8B1E4A90 --resource-group RG-K8S --name AKS-PROD --api-server-authorized-ip-ranges 198.51.100.0/24"
	if !slices.Equal(f.Rollback, []string{undo}) {
		t.Errorf("rollback %q\nwant %q", f.Rollback, undo)
	}
	if f.Window == nil || f.Window.End != nil || !f.Window.Start.Equal(time.Date(2026, 3, 14, 14, 30, 0, 123000000, time.UTC)) {
		t.Errorf("window %+v, want one open from 14:30:00.123", f.Window)
	}
}

package detect

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestPrivateNames: a peer in the private list is named for what it is in
// the title and reasons: 0.0.0.0/16 is "this network", 127.0.0.1/32
// loopback, not an internal "private range"; RFC 1918 and ULA stay
// private ranges. A peer wider than it looks (0.0.0.0/1, 0.0.0.0/7) is
// not named private at all, and its severity stays.
func TestPrivateNames(t *testing.T) {
	for _, tc := range []struct {
		name   string
		peers  []model.Peer
		want   model.Severity
		title  string // a substring of the title
		reason string // a substring of a reason
		not    string // said nowhere in title or reasons
	}{
		{"this network", []model.Peer{cidr("0.0.0.0/16")}, model.Low,
			"opened to this network 0.0.0.0/16 on 22/tcp", "private: this network (0.0.0.0/8, RFC 1122: not routable", "private range"},
		{"loopback", []model.Peer{cidr("127.0.0.1/32")}, model.Low, "opened to loopback 127.0.0.1/32 on", "private: loopback (127.0.0.0/8)", "private range"},
		{"ipv6 loopback", []model.Peer{cidr("::1/128")}, model.Low, "opened to loopback ::1/128 on", "", "private range"},
		{"ipv4-mapped loopback", []model.Peer{cidr("::ffff:127.0.0.1/128")}, model.Low, "opened to loopback ", "IPv4-mapped, loopback", "private range"},
		{"link-local", []model.Peer{cidr("169.254.169.254/32")}, model.Low, "opened to link-local 169.254.169.254/32", "", "private range"},
		{"link-local ipv6", []model.Peer{cidr("fe80::/64")}, model.Low, "opened to link-local fe80::/64", "", "private range"},
		{"cgnat", []model.Peer{cidr("100.68.0.0/18")}, model.Low, "opened to shared address space 100.68.0.0/18",
			"carrier-grade NAT", "private range"},
		{"cgnat as a range", []model.Peer{rng("100.64.0.1-100.64.0.9")}, model.Low, "opened to shared address space 100.64.0.1-100.64.0.9", "", "private range"},
		{"rfc 1918", []model.Peer{cidr("10.0.0.0/8")}, model.Low, "opened to private range 10.0.0.0/8 on", "private: private range", "loopback"},
		{"ula", []model.Peer{cidr("fd00::/8")}, model.Low, "opened to private range fd00::/8 on", "", "loopback"},
		{"rfc 1918 beside loopback", []model.Peer{cidr("10.0.0.0/8"), cidr("127.0.0.1/32")}, model.Low,
			"opened to private range 10.0.0.0/8, loopback 127.0.0.1/32 on", "", ""},
		{"0.0.0.0/1 is half the internet", []model.Peer{cidr("0.0.0.0/1")}, model.Critical, "half of the IPv4 internet", "", "this network"},
		{"0.0.0.0/7 is public", []model.Peer{cidr("0.0.0.0/7")}, model.Medium, "", "", "this network"},
		{"100.0.0.0/8 is public", []model.Peer{cidr("100.0.0.0/8")}, model.Medium, "", "", "shared address space"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := evaluate(t, sgIngress(rule("tcp", port(22), tc.peers...)))
			all := f.Title + "\n" + strings.Join(f.Reasons, "\n")
			if f.Severity != tc.want {
				t.Errorf("severity %s, want %s\nreasons: %q", f.Severity, tc.want, f.Reasons)
			}
			if !strings.Contains(f.Title, tc.title) {
				t.Errorf("title %q lacks %q", f.Title, tc.title)
			}
			if !strings.Contains(all, tc.reason) {
				t.Errorf("reasons %q lack %q", f.Reasons, tc.reason)
			}
			if tc.not != "" && strings.Contains(all, tc.not) {
				t.Errorf("%q said in %q", tc.not, all)
			}
		})
	}
}

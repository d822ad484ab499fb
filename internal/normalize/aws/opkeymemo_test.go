package aws

import "testing"

// TestOperationKeyOfRemembersExactly: remembered or not, a pair gets
// operationKey's answer, and pairs that concatenate alike stay apart.
func TestOperationKeyOfRemembersExactly(t *testing.T) {
	pairs := [][2]string{
		{"ec2.amazonaws.com", "DescribeSecurityGroups"},
		{"EC2.amazonaws.com", "describesecuritygroups"},
		{"ec2.us-east-1.amazonaws.com", "AuthorizeSecurityGroupIngress"},
		{"ec2.amazonaws.co", "mDescribe"},
		{"ec2.amazonaws.com", ""},
		{"", "ec2.amazonaws.com"},
		{"sts.amazonaws.com", "GetCallerIdentity"},
	}
	// A pair is remembered once seen twice running: the third round
	// reads from memory.
	for round := 0; round < 3; round++ {
		for _, p := range pairs {
			if got, want := operationKeyOf(p[0], p[1]), operationKey(p[0], p[1]); got != want {
				t.Errorf("round %d: operationKeyOf(%q, %q) = %q, want %q", round, p[0], p[1], got, want)
			}
		}
	}
}

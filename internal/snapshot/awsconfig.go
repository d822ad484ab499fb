package snapshot

import (
	"cmp"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// readAWSConfig recognises AWS Config configuration items: the API and S3
// delivery ({"configurationItems":[...]}), select-resource-config
// ({"Results":["<json>"]}), change notifications (SNS, EventBridge or
// bare), and one item on its own (the configurationItem of a Config rule's
// invoking event, a get-resource-config-history item saved alone). Each item is a snapshot of one resource at its capture time.
func readAWSConfig(b *builder, m map[string]any, src model.SourceRef) (result, bool) {
	var items iter.Seq[map[string]any]
	switch {
	case has(m, "configurationItems"):
		items = objs(m, "configurationItems")
	case has(m, "Results") && has(m, "QueryInfo"):
		var rs []map[string]any
		for _, r := range jv.Arr(m, "Results") {
			if o := jv.Obj(r); o != nil {
				rs = append(rs, o)
			}
		}
		items = slices.Values(rs)
	case m["Type"] == "Notification" && has(m, "Message"):
		msg := jv.Obj(m, "Message")
		if msg == nil || !has(msg, "configurationItem") {
			return skipped("SNS notification without a configuration item"), true
		}
		items = objs(msg, "configurationItem")
	case has(m, "configurationItem"):
		items = objs(m, "configurationItem")
	case jv.Has(m, "detail", "configurationItem"):
		items = objs(m, "detail", "configurationItem")
	case has(m, "resourceType") && has(m, "configuration") &&
		(has(m, "configurationItemCaptureTime") || has(m, "configurationItemStatus")):
		items = slices.Values([]map[string]any{m})
	default:
		return result{}, false
	}
	read := 0
	var left []string
	for it := range items {
		if fw, why := configItem(it, src); why == "" {
			b.add(fw)
			read++
		} else {
			left = append(left, why)
		}
	}
	if read == 0 {
		if len(left) == 1 {
			return skipped(left[0]), true
		}
		return skipped("no security group or network ACL configuration items"), true
	}
	for _, why := range left {
		b.skipPart(src, why)
	}
	return recognised, true
}

// configItem reads one item of type AWS::EC2::SecurityGroup or
// AWS::EC2::NetworkAcl; configuration is a JSON string in API output and
// an object in notifications. It says why an item is not read.
func configItem(it map[string]any, src model.SourceRef) (model.Firewall, string) {
	typ := jv.Str(it, "resourceType")
	if typ != "AWS::EC2::SecurityGroup" && typ != "AWS::EC2::NetworkAcl" {
		return model.Firewall{}, "AWS Config item of type " + cmp.Or(typ, "(none)")
	}
	status := jv.Str(it, "configurationItemStatus")
	if strings.HasPrefix(status, "ResourceDeleted") || status == "ResourceNotRecorded" {
		return model.Firewall{}, "AWS Config item " + typ + " " + status
	}
	conf := jv.Obj(it, "configuration")
	if conf == nil {
		return model.Firewall{}, "AWS Config item " + typ + " without a configuration"
	}
	var fw model.Firewall
	if typ == "AWS::EC2::SecurityGroup" {
		fw = securityGroup(conf, src)
	} else {
		fw = networkACL(conf, src)
	}
	fw.Account = first(fw.Account, jv.Str(it, "accountId"), jv.Str(it, "awsAccountId"))
	fw.Region = jv.Str(it, "awsRegion")
	fw.Resource.ID = first(fw.Resource.ID, jv.Str(it, "resourceId"))
	slices.Sort(fw.Tags)
	fw.AsOf = configTime(jv.Get(it, "configurationItemCaptureTime"))
	for k, v := range jv.Obj(it, "tags") {
		if s, ok := v.(string); ok && !hasTag(fw.Tags, k) {
			fw.Tags = append(fw.Tags, k+"="+s)
		}
	}
	return fw, ""
}

func hasTag(tags []string, key string) bool {
	for _, t := range tags {
		if strings.HasPrefix(t, key+"=") {
			return true
		}
	}
	return false
}

// configTime reads an ISO time or epoch seconds (old CLI output).
func configTime(v any) time.Time {
	if s, ok := v.(string); ok {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-0700", "2006-01-02 15:04:05.999999999-07:00"} {
			if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
				return t.UTC()
			}
		}
	}
	if f, err := strconv.ParseFloat(jv.Str(v), 64); err == nil && f > 0 && f < 1e11 {
		return time.Unix(int64(f), 0).UTC()
	}
	return time.Time{}
}

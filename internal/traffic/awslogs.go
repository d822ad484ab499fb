package traffic

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/valyala/fastjson"
)

// markAwslogs starts a CloudWatch Logs subscription event as a Lambda
// function receives it: {"awslogs":{"data":"<base64 of gzip of the
// payload>"}}, the payload holding logEvents[].message as exports do.
var markAwslogs = []byte(`"awslogs"`)

// maxAwslogsPayload bounds one decoded payload (CloudWatch sends at most
// a few MiB per event): a gzip bomb is refused, not inflated.
const maxAwslogsPayload = 64 << 20

// awslogsFlows decodes a subscription event and emits the VPC flow-log
// records of its log events. A control message carries no flow.
func (r *fileReader) awslogsFlows(v *fastjson.Value, f *Flow, emit func(*Flow), bad func(error)) (int, error) {
	d := v.Get("awslogs", "data")
	if d == nil || d.Type() != fastjson.TypeString {
		return 0, errors.New("CloudWatch Logs subscription event: awslogs.data is not a string")
	}
	s, _ := d.StringBytes()
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(raw, bytes.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("CloudWatch Logs subscription event: awslogs.data: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw[:n]))
	if err != nil {
		return 0, fmt.Errorf("CloudWatch Logs subscription event: awslogs.data: %w", err)
	}
	payload, err := io.ReadAll(io.LimitReader(zr, maxAwslogsPayload+1))
	if err != nil {
		return 0, fmt.Errorf("CloudWatch Logs subscription event: awslogs.data: %w", err)
	}
	if len(payload) > maxAwslogsPayload {
		return 0, fmt.Errorf("CloudWatch Logs subscription event: awslogs.data inflates past %d bytes: skipped", maxAwslogsPayload)
	}
	var p fastjson.Parser // the record's parser holds v
	pv, err := p.ParseBytes(payload)
	if err != nil {
		return 0, fmt.Errorf("CloudWatch Logs subscription event: payload: %w", err)
	}
	if string(pv.GetStringBytes("messageType")) == "CONTROL_MESSAGE" {
		return 0, nil
	}
	count := 0
	for _, ev := range pv.GetArray("logEvents") {
		msg := ev.GetStringBytes("message")
		if msg == nil {
			continue
		}
		ok, err := r.aws.line(msg, f)
		if f.Idle {
			emit(f) // coverage only
		}
		switch {
		case err != nil:
			bad(err)
		case ok:
			emit(f)
			count++
		}
	}
	return count, nil
}

package azure

import (
	"net/url"
	"strings"
)

// APIVersion reads the api-version of an Activity Log record's request
// URI (httpRequest.uri in the REST form): "2023-08-01" or
// "2021-11-01-preview". Anything else, two of them, or no URI, is "":
// the value ends up in a printed command, so only one date version is
// kept.
func APIVersion(uri string) string {
	_, query, ok := strings.Cut(uri, "?")
	if !ok {
		return ""
	}
	q, _ := url.ParseQuery(query) // the pairs that parse
	found := ""
	for k, vs := range q {
		if !strings.EqualFold(k, "api-version") {
			continue
		}
		if found != "" || len(vs) != 1 || !dateVersion(vs[0]) {
			return ""
		}
		found = vs[0]
	}
	return found
}

// dateVersion says v is YYYY-MM-DD, optionally followed by -preview,
// -privatepreview, -beta or -alpha.
func dateVersion(v string) bool {
	if len(v) < 10 {
		return false
	}
	for i := range 10 {
		c := v[i]
		if i == 4 || i == 7 {
			if c != '-' {
				return false
			}
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	switch v[10:] {
	case "", "-preview", "-privatepreview", "-beta", "-alpha":
		return true
	}
	return false
}

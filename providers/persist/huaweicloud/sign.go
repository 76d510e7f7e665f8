package huaweicloud

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
	"time"
)

// dateFormat is the format of X-Sdk-Date.
const dateFormat = "20060102T150405Z"

// Authorization is the SDK-HMAC-SHA256 Authorization header of a request
// (Huawei Cloud's AK/SK signing, as its Go SDK computes it): the canonical
// request is the method, the path with each segment escaped and a trailing
// "/", the sorted escaped query, the signed headers (lower-case names,
// sorted, "name:value" lines) and the body's SHA-256; the string to sign
// adds the date; the signature is its HMAC-SHA256 keyed with sk. headers
// are the headers to sign, by lower-case name; X-Sdk-Date among them.
func Authorization(method, path string, query url.Values, headers map[string]string, body []byte, ak, sk string, date time.Time) string {
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}

	sort.Strings(names)

	var canonHeaders strings.Builder
	for _, k := range names {
		canonHeaders.WriteString(k + ":" + strings.TrimSpace(headers[k]) + "\n")
	}

	segments := strings.Split(path, "/")
	for i, s := range segments {
		segments[i] = escape(s)
	}

	uri := strings.Join(segments, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}

	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}

	sort.Strings(keys)

	var q []string

	for _, k := range keys {
		vs := append([]string(nil), query[k]...)
		sort.Strings(vs)

		for _, v := range vs {
			q = append(q, escape(k)+"="+escape(v))
		}
	}

	bodySum := sha256.Sum256(body)
	signed := strings.Join(names, ";")
	canonical := method + "\n" + uri + "\n" + strings.Join(q, "&") + "\n" + canonHeaders.String() + "\n" + signed + "\n" + hex.EncodeToString(bodySum[:])

	crSum := sha256.Sum256([]byte(canonical))
	toSign := "SDK-HMAC-SHA256\n" + date.UTC().Format(dateFormat) + "\n" + hex.EncodeToString(crSum[:])

	mac := hmac.New(sha256.New, []byte(sk))
	_, _ = mac.Write([]byte(toSign))

	return "SDK-HMAC-SHA256 Access=" + ak + ", SignedHeaders=" + signed + ", Signature=" + hex.EncodeToString(mac.Sum(nil))
}

// escape percent-encodes every byte but A-Z a-z 0-9 _ - ~ . (upper-case hex).
func escape(s string) string {
	var b strings.Builder

	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '~' || c == '.' {
			b.WriteByte(c)

			continue
		}

		b.WriteByte('%')
		b.WriteByte("0123456789ABCDEF"[c>>4])
		b.WriteByte("0123456789ABCDEF"[c&15])
	}

	return b.String()
}

package record

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// anyDomain is the D octet of the draft-02 any-domain accounturi form.
const anyDomain = "*"

// thumbprintLen is the length of a base64url (no padding) SHA-256 JWK
// thumbprint (RFC 7638).
const thumbprintLen = 43

// HashAccountURI computes the draft-02 hashed accounturi:
//
//	prefix "sha-256/" base64url-nopad(SHA-256(L || D || K || U))
//
// D is domain normalized (NormalizeDomain) without a leading "*." label, or
// the single octet "*" when domain is "*" (the any-domain form, valid for
// every domain of the account). L is one octet holding len(D). K is the
// 43-character RFC 7638 JWK thumbprint of the account key, base64url without
// padding, as in a key authorization. U is the account URL.
//
// prefix is the CA's meta.accountHashPrefix; it and accountURL must be
// non-empty and fit in a record value (no space, ';', control or non-ASCII
// octet).
func HashAccountURI(prefix, domain, thumbprint, accountURL string) (string, error) {
	if prefix == "" {
		return "", errors.New("empty accountHashPrefix")
	}

	if err := checkParamValue(prefix); err != nil || strings.Contains(prefix, ";") {
		return "", fmt.Errorf("accountHashPrefix %q cannot appear in a record value", prefix)
	}

	if accountURL == "" {
		return "", errors.New("empty account URL")
	}

	if err := checkParamValue(accountURL); err != nil || strings.Contains(accountURL, ";") {
		return "", fmt.Errorf("account URL %q cannot appear in a record value", accountURL)
	}

	if !isThumbprint(thumbprint) {
		return "", fmt.Errorf("JWK thumbprint must be %d base64url characters without padding (RFC 7638)", thumbprintLen)
	}

	d := anyDomain
	if domain != anyDomain {
		n, err := NormalizeDomain(domain)
		if err != nil {
			return "", err
		}

		d = strings.TrimPrefix(n, wildcardPrefix)
	}

	msg := make([]byte, 0, 1+len(d)+len(thumbprint)+len(accountURL))
	msg = append(msg, byte(len(d))) // len(d) <= 253: one octet.
	msg = append(msg, d...)
	msg = append(msg, thumbprint...)
	msg = append(msg, accountURL...)

	sum := sha256.Sum256(msg)

	return prefix + hashMarker + base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

func isThumbprint(s string) bool {
	if len(s) != thumbprintLen {
		return false
	}

	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '-' && c != '_' {
			return false
		}
	}

	return true
}

// hashMarker separates accountHashPrefix from the digest in a draft-02
// accounturi.
const hashMarker = "sha-256/"

// SplitHashedAccountURI splits a draft-02 hashed accounturi into the CA's
// accountHashPrefix and the base64url digest; ok is false when uri does not
// have that shape (a 43-character base64url digest after the last "sha-256/").
func SplitHashedAccountURI(uri string) (prefix, digest string, ok bool) {
	i := strings.LastIndex(uri, hashMarker)
	if i <= 0 {
		return "", "", false
	}

	prefix, digest = uri[:i], uri[i+len(hashMarker):]
	if len(digest) != 43 || strings.Trim(digest, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return "", "", false
	}

	return prefix, digest, true
}

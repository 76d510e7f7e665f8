package rfc2136

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bodgit/tsig"
	"github.com/bodgit/tsig/gss"
	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/miekg/dns"
)

// GSS-TSIG (RFC 3645) environment variables, lego's: selected with
// DNSUPDATE_TSIG_ALGORITHM=gss-tsig. Each falls back to the
// DNSUPDATE_RFC3645_* and RFC2136_TSIG_GSS_* twins lego also reads, and may
// be given as NAME_FILE.
const (
	envTSIGGSS = envNamespace + "TSIG_GSS_"

	EnvTSIGGSSRealm      = envTSIGGSS + "REALM"
	EnvTSIGGSSUsername   = envTSIGGSS + "USERNAME"
	EnvTSIGGSSPassword   = envTSIGGSS + "PASSWORD"
	EnvTSIGGSSKeytabFile = envTSIGGSS + "KEYTAB_FILE"
)

// gssAltEnvNames are the twins lego reads for a DNSUPDATE_TSIG_GSS_* name.
func gssAltEnvNames(name string) []string {
	suffix := strings.TrimPrefix(name, envTSIGGSS)

	return []string{envNamespace + "RFC3645_" + suffix, altEnvNamespace + "TSIG_GSS_" + suffix}
}

func getGSSString(name string) string {
	return env.GetOneWithFallback(name, "", env.ParseString, gssAltEnvNames(name)...)
}

// gssCredentials are the Kerberos credentials of GSS-TSIG: a password or
// a keytab for Username in Realm.
type gssCredentials struct {
	realm, username, password, keytab string
}

// isGSS reports whether alg names GSS-TSIG.
func isGSS(alg string) bool {
	return alg != "" && dns.CanonicalName(alg) == tsig.GSS
}

// newGSSCredentials checks cfg's GSS-TSIG settings as lego does: a user
// name, exactly one of password and keytab, and no HMAC key or key file.
func newGSSCredentials(cfg *Config) (*gssCredentials, error) {
	switch {
	case cfg.TSIGGSSUsername == "":
		return nil, fmt.Errorf("GSS-TSIG needs a user name (%s)", EnvTSIGGSSUsername)
	case cfg.TSIGGSSPassword == "" && cfg.TSIGGSSKeytabFile == "":
		return nil, fmt.Errorf("GSS-TSIG needs a password (%s) or a keytab (%s)", EnvTSIGGSSPassword, EnvTSIGGSSKeytabFile)
	case cfg.TSIGGSSPassword != "" && cfg.TSIGGSSKeytabFile != "":
		return nil, fmt.Errorf("GSS-TSIG takes a password (%s) or a keytab (%s), not both", EnvTSIGGSSPassword, EnvTSIGGSSKeytabFile)
	case cfg.TSIGFile != "":
		return nil, fmt.Errorf("GSS-TSIG does not use a TSIG key file (%s)", EnvTSIGFile)
	case cfg.TSIGKey != "" || cfg.TSIGSecret != "":
		return nil, fmt.Errorf("GSS-TSIG does not use an HMAC key (%s/%s)", EnvTSIGKey, EnvTSIGSecret)
	}

	return &gssCredentials{
		realm:    cfg.TSIGGSSRealm,
		username: cfg.TSIGGSSUsername,
		password: cfg.TSIGGSSPassword,
		keytab:   cfg.TSIGGSSKeytabFile,
	}, nil
}

// gssSession is one negotiated GSS-TSIG context (RFC 3645 §3: TKEY
// exchange over TCP), good for signing one update with c.
type gssSession struct {
	client  *gss.Client
	keyName string
}

// negotiate sets up a security context with server for c, which then signs
// and verifies through it. Close the session when the update is done.
func (g *gssCredentials) negotiate(c *dns.Client, server string) (*gssSession, error) {
	client, err := gss.NewClient(c)
	if err != nil {
		return nil, fmt.Errorf("GSS-TSIG client: %w", err)
	}

	var keyName string

	if g.keytab != "" {
		keyName, _, err = client.NegotiateContextWithKeytab(server, g.realm, g.username, g.keytab)
	} else {
		keyName, _, err = client.NegotiateContextWithCredentials(server, g.realm, g.username, g.password)
	}

	if err != nil {
		_ = client.Close()

		// The error may quote the request; never the password.
		return nil, fmt.Errorf("GSS-TSIG: negotiate a security context with %s as %s (realm %q): %w; check %s and the keytab or password",
			server, g.username, g.realm, redact(err, g.password), EnvTSIGGSSUsername)
	}

	c.TsigProvider = client

	return &gssSession{client: client, keyName: keyName}, nil
}

// Close deletes the context at the server and frees the client.
func (s *gssSession) Close() {
	_ = s.client.DeleteContext(s.keyName)
	_ = s.client.Close()
}

// redact removes secret from err's text.
func redact(err error, secret string) error {
	if secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}

	return errors.New(strings.ReplaceAll(err.Error(), secret, "[redacted]"))
}

package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/certificate"
	"github.com/urfave/cli/v2"
	"software.sslmate.com/src/go-pkcs12"
)

// lego v4's --pfx flags and their environment.
const (
	flgPFX       = "pfx"
	flgPFXPass   = "pfx.pass"
	flgPFXFormat = "pfx.format"

	envPFX         = "LEGO_PFX"
	envPFXPassword = "LEGO_PFX_PASSWORD"
	envPFXFormat   = "LEGO_PFX_FORMAT"
)

// pfxEncoders are lego's --pfx.format values.
var pfxEncoders = map[string]*pkcs12.Encoder{
	"RC2":    pkcs12.LegacyRC2,
	"DES":    pkcs12.LegacyDES,
	"SHA256": pkcs12.Modern2023,
}

func pfxFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{
			Name:    flgPFX,
			EnvVars: []string{envPFX},
			Usage:   "Generate an additional .pfx (PKCS#12) file holding the key, the certificate and the issuer certificates.",
		},
		&cli.StringFlag{
			Name:    flgPFXPass,
			EnvVars: []string{envPFXPassword},
			Value:   pkcs12.DefaultPassword,
			Usage:   "The password that encrypts the .pfx (PKCS#12) file.",
		},
		&cli.StringFlag{
			Name:    flgPFXFormat,
			EnvVars: []string{envPFXFormat},
			Value:   "RC2",
			Usage:   "The encryption of the .pfx (PKCS#12) file. Supported: RC2, DES, SHA256.",
		},
	}
}

// checkPFXFormat is lego's check of --pfx.format (lego checks it on every
// command, --pfx or not).
func checkPFXFormat(c *cli.Context) error {
	if _, ok := pfxEncoders[c.String(flgPFXFormat)]; !ok {
		return usageErrorf("--%s %q: supported are RC2, DES and SHA256", flgPFXFormat, c.String(flgPFXFormat))
	}

	return nil
}

// pfxEncoder returns the storage's .pfx encoder for --pfx, or nil without it.
func pfxEncoder(c *cli.Context) func(*certificate.Resource) ([]byte, error) {
	if !c.Bool(flgPFX) {
		return nil
	}

	enc, password := pfxEncoders[c.String(flgPFXFormat)], c.String(flgPFXPass)

	return func(res *certificate.Resource) ([]byte, error) {
		return encodePFX(enc, password, res)
	}
}

// encodePFX is lego's .pfx: the private key, the leaf and every certificate
// of the issuer file, encrypted with password.
func encodePFX(enc *pkcs12.Encoder, password string, res *certificate.Resource) ([]byte, error) {
	if enc == nil {
		return nil, errors.New("no PKCS#12 encoder")
	}

	leaf, err := certcrypto.ParsePEMCertificate(res.Certificate)
	if err != nil {
		return nil, fmt.Errorf("parse the certificate: %w", err)
	}

	if len(strings.TrimSpace(string(res.IssuerCertificate))) == 0 {
		return nil, errors.New("no issuer certificate to put in the chain")
	}

	chain, err := certcrypto.ParsePEMBundle(res.IssuerCertificate)
	if err != nil {
		return nil, fmt.Errorf("parse the issuer certificate: %w", err)
	}

	key, err := certcrypto.ParsePEMPrivateKey(res.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("parse the private key: %w", err)
	}

	return enc.Encode(key, leaf, chain, password)
}

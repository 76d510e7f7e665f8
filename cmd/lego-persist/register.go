package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-acme/lego/v4/registration"
	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v2"
)

const rootPathWarning = `!!!! HEADS UP !!!!

Your account credentials have been saved in your configuration directory:

    %s

With dns-persist-01 the account key alone can obtain certificates for every
domain whose _validation-persist record names this account, for as long as
the record exists. Keep it secret, and make a secure backup of this folder.
`

// ensureRegistered registers the account (or recovers a stored account
// without registration) and saves it.
func (s *session) ensureRegistered(c *cli.Context) error {
	if s.account.Registered() {
		return nil
	}

	if exists, _ := s.accounts.Exists(); exists {
		reg, err := s.client.Registration.ResolveAccountByKey()
		if err != nil {
			return fmt.Errorf("account %s: stored without registration and the CA does not know its key: %w", userID(s.set.email), err)
		}

		s.account.Registration = reg

		return s.accounts.Save(s.account)
	}

	if s.client.GetExternalAccountRequired() && !c.Bool(flgEAB) {
		return usageErrorf("the CA requires External Account Binding: pass --%s with --%s and --%s", flgEAB, flgKID, flgHMAC)
	}

	if !c.Bool(flgAcceptTOS) {
		ok, err := askTOS(c, s.client.GetToSURL())
		if err != nil {
			return err
		}

		if !ok {
			return errors.New("you did not accept the CA's terms of service; unable to proceed")
		}
	}

	var (
		reg *registration.Resource
		err error
	)

	if c.Bool(flgEAB) {
		kid, hmac := c.String(flgKID), c.String(flgHMAC)
		if kid == "" || hmac == "" {
			return usageErrorf("--%s needs --%s and --%s", flgEAB, flgKID, flgHMAC)
		}

		reg, err = s.client.Registration.RegisterWithExternalAccountBinding(registration.RegisterEABOptions{
			TermsOfServiceAgreed: true,
			Kid:                  kid,
			HmacEncoded:          hmac,
		})
	} else {
		reg, err = s.client.Registration.Register(registration.RegisterOptions{TermsOfServiceAgreed: true})
	}

	if err != nil {
		return fmt.Errorf("could not complete registration at %s: %w", s.set.server, err)
	}

	s.account.Registration = reg

	if err := s.accounts.Save(s.account); err != nil {
		return err
	}

	fmt.Fprintf(c.App.ErrWriter, rootPathWarning, s.accounts.Dir())

	return nil
}

// askTOS asks on a terminal; elsewhere (cron) --accept-tos is required.
func askTOS(c *cli.Context, url string) (bool, error) {
	if !isatty.IsTerminal(os.Stdin.Fd()) {
		return false, usageErrorf("registering an account needs --%s (terms of service: %s)", flgAcceptTOS, url)
	}

	fmt.Fprintf(c.App.ErrWriter, "Please review the terms of service at %s\n", url)

	reader := bufio.NewReader(os.Stdin)

	for {
		fmt.Fprint(c.App.ErrWriter, "Do you accept the terms of service? Y/n ")

		text, err := reader.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return false, fmt.Errorf("read answer: %w", err)
		}

		switch strings.TrimSpace(text) {
		case "", "y", "Y":
			return true, nil
		case "n", "N":
			return false, nil
		}

		if errors.Is(err, io.EOF) {
			return false, nil
		}
	}
}

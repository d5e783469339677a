package oauth2_test

import (
	"context"
	"fmt"
	"log"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/oauth2"
)

// The reference's flow as Go calls: register an application, issue an
// authorization code for a user, exchange it, verify the access token.
func Example() {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	pw := "a-long-pass-phrase"
	alice, err := users.CreateUser(ctx, "alice", &pw, nil)
	if err != nil {
		log.Fatal(err)
	}
	protector, err := csrf.New()
	if err != nil {
		log.Fatal(err)
	}
	p, err := oauth2.NewProvider(oauth2.Config{
		Store:  oauth2.NewMemoryStore(), // or stores/sqlstore's
		Users:  core.NewModelBackend(users),
		Issuer: "https://auth.example.com",
		CSRF:   protector,
	})
	if err != nil {
		log.Fatal(err)
	}

	creds, err := p.RegisterApplication(ctx, oauth2.NewApplication{
		Name: "Example", ClientType: oauth2.ClientConfidential,
		RedirectURIs: []string{"https://client.example.com/callback"},
		GrantTypes:   []string{oauth2.GrantAuthorizationCode},
	})
	if err != nil {
		log.Fatal(err)
	}
	code, err := p.GenerateAuthorizationCode(ctx, oauth2.AuthorizationRequest{
		ClientID: creds.ClientID, UserID: alice.GetID(), Scope: "read write",
	})
	if err != nil {
		log.Fatal(err)
	}
	client, err := p.AuthenticateClient(ctx, creds.ClientID, creds.ClientSecret)
	if err != nil {
		log.Fatal(err)
	}
	token, err := p.ExchangeCode(ctx, client, oauth2.ExchangeRequest{Code: code})
	if err != nil {
		log.Fatal(err)
	}
	at, err := p.VerifyToken(ctx, token.AccessToken)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(token.TokenType, token.ExpiresIn, token.Scope, token.RefreshToken != "")
	fmt.Println(at.UserID == alice.GetID(), at.HasScope("write"))

	// The code is single use.
	_, err = p.ExchangeCode(ctx, client, oauth2.ExchangeRequest{Code: code})
	fmt.Println(err)
	// Output:
	// Bearer 3600 read write true
	// true true
	// oauth2: invalid_grant: The authorization code is invalid, expired or already used.
}

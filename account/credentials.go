package account

import (
	"context"
	"fmt"
	"strings"

	"github.com/gallant-sms/gallant/store"
)

// IssueAPIKey creates an API key for accountID on behalf of by, who must
// be allowed to manage the account, and audits it. The key is returned
// this once.
func (s *Service) IssueAPIKey(ctx context.Context, by Actor, accountID int64, name string, scopes []string, ip string) (string, error) {
	if err := s.Can(ctx, by, ActionManage, accountID); err != nil {
		return "", err
	}
	key, err := s.CreateAPIKey(ctx, accountID, name, scopes)
	if err != nil {
		return "", err
	}
	prefix, _ := parseKey(key)
	s.audit(ctx, store.AuditEntry{AccountID: accountID, ActorUserID: by.UserID, Action: "api_key.create",
		Target: "api_key:" + prefix, Details: "name=" + name + " scopes=" + strings.Join(scopes, ","), IP: ip})
	return key, nil
}

// RevokeAPIKey revokes key keyID of accountID on behalf of by, who must
// be allowed to manage the account; this instance stops accepting the key
// at once. A key of another account is [store.ErrNotFound].
func (s *Service) RevokeAPIKey(ctx context.Context, by Actor, accountID, keyID int64, ip string) error {
	if err := s.Can(ctx, by, ActionManage, accountID); err != nil {
		return err
	}
	if err := s.st.RevokeAPIKey(ctx, accountID, keyID, s.now().UTC()); err != nil {
		return fmt.Errorf("account: revoke api key: %w", err)
	}
	s.mu.Lock()
	for k, e := range s.keys {
		if e.p.KeyID == keyID {
			delete(s.keys, k)
		}
	}
	s.mu.Unlock()
	s.audit(ctx, store.AuditEntry{AccountID: accountID, ActorUserID: by.UserID, Action: "api_key.revoke",
		Target: fmt.Sprintf("api_key:%d", keyID), IP: ip})
	return nil
}

// IssueSMPPCredential creates SMPP credentials for accountID on behalf of
// by, who must be allowed to manage the account, and audits it. The
// password is returned this once.
func (s *Service) IssueSMPPCredential(ctx context.Context, by Actor, accountID int64, systemID string, bindLimit, tpsLimit int, ip string) (string, error) {
	if err := s.Can(ctx, by, ActionManage, accountID); err != nil {
		return "", err
	}
	pw, err := s.CreateSMPPCredential(ctx, accountID, systemID, bindLimit, tpsLimit)
	if err != nil {
		return "", err
	}
	s.audit(ctx, store.AuditEntry{AccountID: accountID, ActorUserID: by.UserID, Action: "smpp_credential.create",
		Target: "system_id:" + systemID, IP: ip})
	return pw, nil
}

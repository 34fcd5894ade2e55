package account

import (
	"context"
	"errors"
	"fmt"
)

// ErrForbidden means the caller is authenticated but may not do what it
// asked.
var ErrForbidden = errors.New("account: forbidden")

// ErrEmailUnverified means a self-registered user asked to send or to
// manage its account before verifying its email.
var ErrEmailUnverified = errors.New("account: email not verified")

// Role is what a dashboard user may do, together with the account tree.
type Role string

// The roles, from the most to the least powerful.
const (
	// RoleAdmin is a platform administrator: every action on every
	// account.
	RoleAdmin Role = "admin"
	// RoleReseller acts on its own account and on the accounts below it
	// (its customers): it may create sub-accounts under its own account
	// and suspend or reactivate its sub-accounts, never itself.
	RoleReseller Role = "reseller"
	// RoleOwner manages its own account: read, send, manage keys,
	// credentials and users, read the audit log.
	RoleOwner Role = "owner"
	// RoleMember reads its own account and, with [Actor.CanSend], sends
	// from it.
	RoleMember Role = "member"
)

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleReseller, RoleOwner, RoleMember:
		return true
	}
	return false
}

// rank orders roles for "may not grant a role above your own".
func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 4
	case RoleReseller:
		return 3
	case RoleOwner:
		return 2
	case RoleMember:
		return 1
	}
	return 0
}

// Action is something an [Actor] does to an account.
type Action string

// The actions [Allowed] knows.
const (
	// ActionRead views an account's messages, usage, keys and settings.
	ActionRead Action = "read"
	// ActionSend sends messages as the account.
	ActionSend Action = "send"
	// ActionManage changes an account's keys, SMPP credentials, users and
	// settings.
	ActionManage Action = "manage"
	// ActionAudit reads an account's audit log.
	ActionAudit Action = "audit"
	// ActionSuspend suspends or reactivates an account.
	ActionSuspend Action = "suspend"
	// ActionCreateSubAccount creates an account below the target.
	ActionCreateSubAccount Action = "create_sub_account"
)

// Actor is an authenticated dashboard user, as carried by an access
// token.
type Actor struct {
	UserID    int64
	AccountID int64
	Role      Role
	// CanSend lets a [RoleMember] send; it is ignored for other roles.
	CanSend bool
	// Unverified marks a user who signed up on its own and has not
	// verified its email yet: it may read its account (and audit it)
	// but neither send nor change anything, so that an anonymous sign-up
	// cannot send nor mint credentials.
	Unverified bool
}

// maxTreeDepth bounds the walk up the account tree, so a corrupt cycle
// cannot loop forever. Resellers are one level today.
const maxTreeDepth = 8

// Allowed reports whether who may do action to account target, whose
// ancestors (parent first, then its parent, and so on) are given. It is
// the whole policy, without I/O; [Service.Can] loads the ancestors.
//
//   - An admin may do anything anywhere.
//   - A reseller may read, send, manage and audit its own account and any
//     account below it, create sub-accounts under its own account only,
//     and suspend accounts below it but not its own.
//   - An owner may read, send, manage and audit its own account.
//   - A member may read its own account, and send from it if CanSend.
//   - An Unverified actor may only read and audit, whatever its role.
//
// Nobody but an admin acts on a sibling, a parent or an unrelated
// account.
func Allowed(who Actor, action Action, target int64, ancestors []int64) bool {
	if who.Unverified && action != ActionRead && action != ActionAudit {
		return false
	}
	if who.Role == RoleAdmin {
		return true
	}
	own := target == who.AccountID
	below := false
	for _, a := range ancestors {
		if a == who.AccountID {
			below = true
			break
		}
	}
	switch who.Role {
	case RoleReseller:
		switch action {
		case ActionRead, ActionSend, ActionManage, ActionAudit:
			return own || below
		case ActionSuspend:
			return below
		case ActionCreateSubAccount:
			return own
		}
	case RoleOwner:
		switch action {
		case ActionRead, ActionSend, ActionManage, ActionAudit:
			return own
		}
	case RoleMember:
		switch action {
		case ActionRead:
			return own
		case ActionSend:
			return own && who.CanSend
		}
	}
	return false
}

// Can returns nil if who may do action to account target, [ErrForbidden]
// if not, [ErrEmailUnverified] if who would be allowed once its email is
// verified (counted), or an error if the account tree could not be read.
func (s *Service) Can(ctx context.Context, who Actor, action Action, target int64) error {
	ancestors, err := s.ancestors(ctx, target)
	if err != nil {
		return err
	}
	if !Allowed(who, action, target, ancestors) {
		if verified := who; who.Unverified {
			verified.Unverified = false
			if Allowed(verified, action, target, ancestors) {
				s.refused(RefusedEmailUnverified)
				return ErrEmailUnverified
			}
		}
		return ErrForbidden
	}
	return nil
}

// CheckVerified returns [ErrEmailUnverified] (counted) for an Unverified
// actor, nil for any other: the send path calls it for dashboard
// sessions, whose send right is otherwise given by their scopes.
func (s *Service) CheckVerified(who Actor) error {
	if who.Unverified {
		s.refused(RefusedEmailUnverified)
		return ErrEmailUnverified
	}
	return nil
}

// ancestors returns the parent chain of account id, nearest first.
func (s *Service) ancestors(ctx context.Context, id int64) ([]int64, error) {
	var out []int64
	for range maxTreeDepth {
		p, err := s.st.AccountParent(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("account: read account tree: %w", err)
		}
		if p == 0 {
			return out, nil
		}
		out = append(out, p)
		id = p
	}
	return out, nil
}

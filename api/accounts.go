package api

import "github.com/fasthttp/router"

// Accounts is the service behind the endpoints for the account tree: sub-accounts, suspension, price plans, top-ups and the audit log.
type Accounts interface{}

// accountRoutes registers the endpoints for the account tree: sub-accounts, suspension, price plans, top-ups and the audit log.
func (s *Server) accountRoutes(r *router.Router) {}

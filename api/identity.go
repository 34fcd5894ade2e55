package api

import "github.com/fasthttp/router"

// Identity is the service behind the endpoints for users, sessions, API keys and SMPP credentials.
type Identity interface{}

// identityRoutes registers the endpoints for users, sessions, API keys and SMPP credentials.
func (s *Server) identityRoutes(r *router.Router) {}

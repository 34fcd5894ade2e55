package api

import "github.com/fasthttp/router"

// Alerts is the service behind the low-balance alert settings.
type Alerts interface{}

// alertRoutes registers the low-balance alert endpoints.
func (s *Server) alertRoutes(r *router.Router) {}

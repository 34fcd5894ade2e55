package api

import "github.com/fasthttp/router"

// Reports is the service behind the endpoints for usage, statements, invoices and low-balance alert settings.
type Reports interface{}

// reportRoutes registers the endpoints for usage, statements, invoices and low-balance alert settings.
func (s *Server) reportRoutes(r *router.Router) {}

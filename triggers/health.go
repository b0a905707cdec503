package triggers

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

func (s *Server) handleHealthz(c *gin.Context) {
	answer(c, http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) handleReadyz(c *gin.Context) {
	if s.deps.Ready != nil {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
		defer cancel()
		if err := s.deps.Ready(ctx); err != nil {
			answer(c, http.StatusServiceUnavailable, errorBody{Error: err.Error()})
			return
		}
	}
	answer(c, http.StatusOK, gin.H{"status": "ready"})
}

package triggers

import "github.com/gin-gonic/gin"

func (s *Server) routes(r *gin.Engine) {
	r.POST("/hooks/:trigger", s.handleHook)
	r.GET("/healthz", s.handleHealthz)
	r.GET("/readyz", s.handleReadyz)
	r.NoRoute(func(c *gin.Context) {
		answer(c, 404, errorBody{Error: "no such endpoint; webhooks go to POST /hooks/{trigger}"})
	})
}

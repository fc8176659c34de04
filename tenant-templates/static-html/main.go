// Static site for a Convergence tenant: serves the files in public/ and answers GET /health with
// {"status":"ok","tenant":TENANT_ID}. Nothing else: a static site has no server code, so it has no
// /api/converge (call the master from a server-side template instead). Standard library only, built
// with CGO_ENABLED=0 into a static binary.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok", "tenant": os.Getenv("TENANT_ID")})
	})
	// Directory listings are off: a directory without index.html answers 404.
	files := http.FileServer(http.Dir("public"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "static site: GET and HEAD only", http.StatusMethodNotAllowed)
			return
		}
		if p := r.URL.Path; p[len(p)-1] == '/' {
			if _, err := os.Stat("public" + p + "index.html"); err != nil {
				http.NotFound(w, r)
				return
			}
		}
		files.ServeHTTP(w, r)
	})

	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	server := &http.Server{Addr: "0.0.0.0:" + port, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
		<-stop
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = server.Shutdown(ctx)
	}()
	fmt.Printf("%s (%s) serving public/ on %s\n", os.Getenv("TENANT_ID"), os.Getenv("TENANT_NAME"), port)
	if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

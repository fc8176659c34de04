// Starter app for a Convergence tenant, in Go with the standard library only (net/http). The platform
// injects CONVERGENCE_API_URL, CONVERGENCE_API_KEY, CONVERGENCE_ORG_ID, CONVERGENCE_ENV_ID, TENANT_ID
// and TENANT_NAME; on Swarm the key arrives as a secret file named by CONVERGENCE_API_KEY_FILE
// instead of CONVERGENCE_API_KEY. Built with CGO_ENABLED=0 into a static binary (no module needed).
package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// Calls that came through the public ingress (https://<name>-<envId>.<domain>) carry this header,
// which the ingress sets itself over anything a client sent: they must bring this tenant's API key
// (Authorization: Bearer …), or anyone who guessed the hostname would spend the tenant's quota.
// Calls on the container's own port (the host's loopback port) are the owner's and need none.
const ingressMarker = "X-Convergence-Ingress"

var bearer = regexp.MustCompile(`(?i)^Bearer\s+(\S+)\s*$`)

func readKey() string {
	if path := os.Getenv("CONVERGENCE_API_KEY_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			log.Fatalf("reading the API key from %s: %v", path, err)
		}
		return strings.TrimSpace(string(b))
	}
	return os.Getenv("CONVERGENCE_API_KEY")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func errorBody(code, message string) map[string]any {
	return map[string]any{"success": false, "error": map[string]string{"code": code, "message": message}}
}

func main() {
	apiKey := readKey()
	expected := sha256.Sum256([]byte(apiKey))
	bearerMatchesKey := func(authorization string) bool {
		m := bearer.FindStringSubmatch(authorization)
		if m == nil || apiKey == "" {
			return false
		}
		// Compared as fixed-length digests, in constant time.
		got := sha256.Sum256([]byte(m[1]))
		return subtle.ConstantTimeCompare(got[:], expected[:]) == 1
	}
	apiURL := os.Getenv("CONVERGENCE_API_URL")
	client := &http.Client{Timeout: 120 * time.Second}

	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "tenant": os.Getenv("TENANT_ID")})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			writeJSON(w, http.StatusNotFound, errorBody("NOT_FOUND", "no such page"))
			return
		}
		name := html.EscapeString(os.Getenv("TENANT_NAME"))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><title>%s</title><h1>%s</h1>\n<p>Tenant %s of organisation %s, running on Convergence (Go, net/http).</p>",
			name, name, html.EscapeString(os.Getenv("TENANT_ID")), html.EscapeString(os.Getenv("CONVERGENCE_ORG_ID")))
	})
	// Forwards to the master with this tenant's own key; the master's status and body pass through.
	mux.HandleFunc("/api/converge", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, errorBody("METHOD_NOT_ALLOWED", "POST only"))
			return
		}
		if _, viaIngress := r.Header[ingressMarker]; viaIngress && !bearerMatchesKey(r.Header.Get("Authorization")) {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeJSON(w, http.StatusUnauthorized, errorBody("UNAUTHORIZED", "calls through the public hostname need Authorization: Bearer <this tenant's API key>"))
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, apiURL+"/converge", http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			writeJSON(w, http.StatusBadGateway, errorBody("UPSTREAM_UNREACHABLE", "bad CONVERGENCE_API_URL: "+err.Error()))
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+apiKey)
		res, err := client.Do(req)
		if err != nil {
			writeJSON(w, http.StatusBadGateway, errorBody("UPSTREAM_UNREACHABLE", fmt.Sprintf("the Convergence master at %s could not be reached: %v", apiURL, err)))
			return
		}
		defer res.Body.Close()
		contentType := res.Header.Get("Content-Type")
		if contentType == "" {
			contentType = "application/json"
		}
		w.Header().Set("Content-Type", contentType)
		if ra := res.Header.Get("Retry-After"); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
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
	fmt.Printf("%s (%s) listening on %s\n", os.Getenv("TENANT_ID"), os.Getenv("TENANT_NAME"), port)
	if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

slugs='gunicorn-w2 spark2'
titles='"gunicorn -w 2, reloaded by HUP" "spark2 -n 2 (gunicorn -w 1 each), reloaded by SIGCONT"'
rate=200

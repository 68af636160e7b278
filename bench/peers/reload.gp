# Plots of the reload figure of bench/peers/run.sh (gnuplot 5).
# Variables, given with -e: dir (where reload-SLUG.csv and
# reload-SLUG-events.csv are, and where the PNGs go), slugs (words), titles
# (one quoted title per slug), rate (requests/s sent to each server).
#   gnuplot -e "dir='bench/peers/results'; slugs='gunicorn-w2 spark2'; \
#               titles='\"gunicorn -w 2\" \"spark2 -n 2\"'; rate=200" bench/peers/reload.gp
set datafile separator ","
set datafile missing "NaN"
n = words(slugs)
set key outside top center horizontal font ",9"
set grid ytics
set xlabel "seconds since the load started" font ",9"
set tics font ",9"
set lmargin 10

# Latency per 100 ms: median and max of the requests sent in that slot; shaded,
# the server's own reloads (signal → done).
set terminal pngcairo size 1200, 260*n+60 font "sans,10"
set output dir."/reload-latency.png"
set multiplot layout n, 1 title "Latency through the reloads (per 100 ms; shaded: this server's reloads)" font ",11"
set logscale y
set yrange [0.5:5000]
set ylabel "ms (log)" font ",9"
do for [i=1:n] {
    s = word(slugs, i)
    set title word(titles, i) font ",10"
    plot dir."/reload-".s."-events.csv" every ::1 using (($2+$3)/2):(1):2:3:(0.5):(5000) with boxxyerror fs solid 0.18 noborder lc rgb "#e07000" title "reload", \
         dir."/reload-".s.".csv" every ::1 using 1:8 with lines lw 1 lc rgb "#c00000" title "max", \
         dir."/reload-".s.".csv" every ::1 using 1:6 with lines lw 1 lc rgb "#0050c0" title "median"
}
unset multiplot

# Answers per second by the 100 ms slot they arrived in (a stalled server
# shows a dip, then a burst as the backlog drains), requests sent per second
# (the load generator's own pacing: its dips are the machine stalling
# everyone), and failed requests.
set output dir."/reload-throughput.png"
set multiplot layout n, 1 title sprintf("Answered requests/s through the reloads (per 100 ms; %d requests/s sent)", rate) font ",11"
unset logscale y
set yrange [0:rate*2.2]
set ylabel "requests/s" font ",9"
do for [i=1:n] {
    s = word(slugs, i)
    set title word(titles, i) font ",10"
    plot dir."/reload-".s."-events.csv" every ::1 using (($2+$3)/2):(1):2:3:(0):(rate*2.2) with boxxyerror fs solid 0.18 noborder lc rgb "#e07000" title "reload", \
         dir."/reload-".s.".csv" every ::1 using 1:($2*10) with lines lw 1 lc rgb "#b0b0b0" title "sent/s", \
         dir."/reload-".s.".csv" every ::1 using 1:5 with lines lw 1 lc rgb "#006000" title "answered/s", \
         dir."/reload-".s.".csv" every ::1 using 1:($4 > 0 ? $4*10 : NaN) with points pt 7 ps 0.6 lc rgb "#c00000" title "failed/s"
}
unset multiplot

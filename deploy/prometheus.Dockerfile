# balboard-prometheus image (the `monitoring` compose profile): Debian's
# prometheus and promtool, the libraries they load, the loader and
# deploy/prometheus.yml; no shell. Built by deploy/build-images.sh, which
# prepares rootfs/ beside this file.
FROM scratch
COPY rootfs/ /
# The volume's directory holds the data directory, owned by the user (a
# COPY --chown sets the owner of what a directory holds, not its own).
COPY --chown=65534:65534 rootfs/prometheus /prometheus
USER 65534:65534
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", \
     "--storage.tsdb.path=/prometheus/data", \
     "--web.listen-address=0.0.0.0:9090"]

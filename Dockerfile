# bpfdiff service image: the API (`bpfdiff serve`) and the scalable worker (`bpfdiff worker`).
# It holds QEMU, the static guest agent, the Debian kernel images and their initramfs, all made
# by the same provisioning `npm start` runs, so a worker container can boot guests at once.
FROM node:20-bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive \
    NODE_ENV=production \
    BPFDIFF_IN_CONTAINER=1

# the packages scripts/provision.sh would install, in one cached layer
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends \
      qemu-system-x86 busybox-static cpio gcc make libc6-dev linux-libc-dev xz-utils \
      ca-certificates gnupg debian-archive-keyring \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/bpfdiff
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# kernel images, agent and initramfs (vm-images/setup.sh through provisioning)
RUN bash scripts/provision.sh

# the API listens on all interfaces inside its container; compose publishes it on loopback
EXPOSE 8377
ENTRYPOINT ["node", "bin/bpfdiff.js"]
CMD ["worker"]

// The seat token survives a reconnect (and a reload) in sessionStorage, so
// `resume` can keep the seat; it is per tab and per room. Storage may be
// disabled or full: then the seat is kept only while the socket lives.

const tokenKey = (roomId) => `ovenspace.seat.${roomId}`;

export function saveToken(roomId, claim) {
  try {
    sessionStorage.setItem(tokenKey(roomId), JSON.stringify({ seat: claim.seat, token: claim.token }));
  } catch (e) {
    /* storage disabled */
  }
}

// {seat, token} saved for this room, or null.
export function loadToken(roomId) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(tokenKey(roomId)) || 'null');
    if (saved && Number.isInteger(saved.seat) && typeof saved.token === 'string') return saved;
  } catch (e) {
    /* unreadable: treat as none */
  }
  return null;
}

export function forgetToken(roomId) {
  try {
    sessionStorage.removeItem(tokenKey(roomId));
  } catch (e) {
    /* nothing to forget */
  }
}

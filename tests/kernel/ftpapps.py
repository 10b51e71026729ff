"""ftpapps.py - the text escapes of `tcp connect ... send-text`, for agent.py.

Design choice: read exactly as natsim reads them (traffic_cmd.c
tr_unescape), so the kernel side sends the scenario's bytes. (This file
was natsim's FTP server on real sockets; `listen tcp P ftp` is now the real
vsftpd: vsftpdapp.py.)
"""


def unescape(text):
    """send-text's escapes as natsim reads them (traffic_cmd.c tr_unescape):
    \\r \\n \\t \\\\ \\" \\0 \\xHH."""
    out, k = bytearray(), 0
    while k < len(text):
        ch = text[k]
        k += 1
        if ch != "\\":
            out += ch.encode("latin-1")
            continue
        e = text[k] if k < len(text) else ""
        k += 1
        if e in "rnt\\\"0" and e:
            out.append({"r": 13, "n": 10, "t": 9, "\\": 92, '"': 34, "0": 0}[e])
        elif e == "x":
            h = ""
            while len(h) < 2 and k < len(text) and text[k] in "0123456789abcdefABCDEF":
                h += text[k]
                k += 1
            if not h:
                raise ValueError("tcp: bad escape in send-text")
            out.append(int(h, 16))
        else:
            raise ValueError("tcp: bad escape in send-text")
    return bytes(out)

nft -e add table ip t
nft -e add chain ip t c '{ type filter hook input priority 0; policy accept; }'
nft -e add chain ip t d
nft -e add rule ip t c ip saddr 1.2.3.4 counter
nft -a -e add rule ip t c ip saddr 1.2.3.5 counter accept
nft -e insert rule ip t c tcp dport 22 accept
nft -e add set ip t s '{ type ipv4_addr; }'
nft -a -e add set ip t s2 '{ type ipv4_addr; flags interval; elements = { 10.0.0.0/8 } ; }'
nft -e add element ip t s '{ 1.1.1.1, 2.2.2.2 }'
nft -e add counter ip t cnt
nft -a -e add quota ip t q '{ 100 bytes }'
nft -e add rule ip t c ip saddr '{ 1.1.1.1, 2.2.2.2 }' drop
nft -e delete rule ip t c handle 4
nft -e add map ip t m '{ type ipv4_addr : verdict; }'
nft -e add rule ip t c ip saddr vmap @m
nft -e create table ip t2
nft -e flush chain ip t c
nft -e delete table ip t2
nft -e add table ip t
nft --echo 'add rule ip t c accept; add rule ip t c drop'
nft -a -e -f events2.nft
nft -e replace rule ip u c handle 3 ip daddr @s drop

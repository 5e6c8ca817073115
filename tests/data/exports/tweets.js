window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1745000000000000001"
          ],
          "editableUntil" : "2024-01-10T13:00:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [
          {
            "url" : "https://t.co/AbCdEfGh12",
            "expanded_url" : "https://spiegel.ltd/politik/deutschland/migration-a-1234.html",
            "display_url" : "spiegel.ltd/politik/deutsch…",
            "indices" : [
              "38",
              "61"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "61"
      ],
      "favorite_count" : "12",
      "id_str" : "1745000000000000001",
      "truncated" : false,
      "retweet_count" : "3",
      "id" : "1745000000000000001",
      "created_at" : "Wed Jan 10 12:00:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Unglaublich, was der Spiegel berichtet https://t.co/AbCdEfGh12",
      "lang" : "de"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [
          {
            "url" : "https://t.co/ZyXwVuTs98",
            "expanded_url" : "https://l.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd%2Fpolitik%2Farticle1.html&h=AT0xyz",
            "display_url" : "l.facebook.com/l.php?u=https…",
            "indices" : [
              "20",
              "43"
            ]
          },
          {
            "url" : "https://t.co/Qwerty1234",
            "expanded_url" : "https://www.tagesschau.de/inland/bericht-100.html",
            "display_url" : "tagesschau.de/inland/bericht…",
            "indices" : [
              "50",
              "73"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "73"
      ],
      "favorite_count" : "0",
      "id_str" : "1745000000000000002",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1745000000000000002",
      "created_at" : "Thu Jan 11 08:30:05 +0000 2024",
      "favorited" : false,
      "full_text" : "Lest das bei WELT: https://t.co/ZyXwVuTs98 und hier https://t.co/Qwerty1234",
      "lang" : "de"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ ]
      },
      "display_text_range" : [
        "0",
        "52"
      ],
      "favorite_count" : "1",
      "id_str" : "1745000000000000003",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1745000000000000003",
      "created_at" : "Fri Jan 12 18:45:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Ohne Link-Karte: welt[.]ltd/politik und welt[.]ltd/politik",
      "lang" : "de"
    }
  }
]

"""The 2023 pilot cycle's 11 organisations and how far each got, with dates.

Names come from the council's article; register numbers, amounts, dates, mentors and
applications are ILLUSTRATIVE, chosen so that the cycle report as of 2023-10-19 shows the
article's figures (see :mod:`inkubators.demo`).
"""

from __future__ import annotations

from inkubators.demo.programme import App, Pilot

PILOTS = [
    Pilot(
        "House of Hope",
        "40008123451",
        "association",
        ["social"],
        "anna",
        "2023-03-01",
        "2023-03-07",
        ["fundraising", "project_management"],
        [("2023-03-09", "2", "Finansējuma stratēģija"), ("2023-03-14", "1.5", "Projekta budžets")],
        [("sif", "2023-03-15")],
        [
            App(
                "sif",
                "Drošs patvērums: krīzes atbalsta centrs ģimenēm",
                "social",
                45000,
                38460,
                "2023-03-17",
                "2023-03-28",
                "2023-05-25",
                38460,
            )
        ],
        drafted="2023-03-17",
        submitted="2023-03-29",
        outcome="2023-06-02",
    ),
    Pilot(
        "kultūrBĀKA",
        "40008234562",
        "association",
        ["culture"],
        "janis",
        "2023-03-01",
        "2023-03-20",
        ["fundraising", "audience_development"],
        [
            ("2023-03-29", "2", "Kultūras projektu konkursi"),
            ("2023-04-12", "2", "Pieteikuma rakstīšana"),
        ],
        [("vkkf", "2023-04-14")],
        [
            App(
                "vkkf",
                "Bākas vasaras skatuve 2023",
                "culture",
                27500,
                24900,
                "2023-05-02",
                "2023-05-10",
                "2023-06-20",
                24900,
            )
        ],
        drafted="2023-05-03",
        submitted="2023-05-11",
        outcome="2023-06-26",
    ),
    Pilot(
        "Liepājas tehnoloģiju klasteris",
        "40008345673",
        "association",
        ["technology"],
        "janis",
        "2023-03-01",
        "2023-03-08",
        ["networking", "fundraising"],
        [("2023-03-10", "3", "Klastera attīstības plāns")],
        [("liaa", "2023-03-13")],
        [
            App(
                "liaa",
                "Liepājas IT talantu tīkls",
                "networking",
                42000,
                38200,
                "2023-03-24",
                "2023-04-06",
                "2023-06-09",
                38200,
            )
        ],
        drafted="2023-03-27",
        submitted="2023-04-07",
        outcome="2023-06-15",
    ),
    Pilot(
        "Sociālā atbalsta un izglītības fonds",
        "40008456784",
        "foundation",
        ["social", "education"],
        "anna",
        "2023-03-01",
        "2023-03-22",
        ["fundraising", "volunteer_management"],
        [("2023-04-05", "2", "Donoru piesaiste"), ("2023-05-03", "1", "Brīvprātīgo koordinēšana")],
        [("acf", "2023-05-10")],
        [
            App(
                "acf",
                "Atbalsta tīkls vientuļajiem senioriem",
                "social",
                70000,
                63000,
                "2023-06-14",
                "2023-09-28",
            )
        ],
        drafted="2023-06-15",
        submitted="2023-09-29",
    ),
    Pilot(
        "Patvērums ģimenei",
        "40008567895",
        "association",
        ["social"],
        "anna",
        "2023-03-01",
        "2023-03-23",
        ["project_management", "fundraising"],
        [
            ("2023-04-06", "2", "Projekta idejas izstrāde"),
            ("2023-05-04", "2", "Rezultātu rādītāji"),
        ],
        [("acf", "2023-05-11")],
        [
            App(
                "acf",
                "Ģimeņu atbalsta punkts Karostā",
                "social",
                55000,
                49500,
                "2023-06-20",
                "2023-10-02",
            )
        ],
        drafted="2023-06-21",
        submitted="2023-10-03",
    ),
    Pilot(
        "Centra MARTA Liepājas nodibinājums",
        "40008678906",
        "foundation",
        ["social", "ngo_strengthening"],
        "janis",
        "2023-03-01",
        "2023-03-21",
        ["advocacy", "fundraising"],
        [("2023-04-04", "2", "Interešu aizstāvība"), ("2023-05-09", "2", "Partnerību veidošana")],
        [("acf", "2023-05-12")],
        [
            App(
                "acf",
                "Jauniešu līdztiesības programma Liepājā",
                "ngo_strengthening",
                64000,
                57600,
                "2023-06-22",
                "2023-10-05",
            )
        ],
        drafted="2023-06-23",
        submitted="2023-10-06",
    ),
    Pilot(
        "Keep The Change",
        "40008789017",
        "association",
        ["education", "environment"],
        "janis",
        "2023-03-01",
        "2023-03-27",
        ["fundraising", "international_partnerships"],
        [
            ("2023-04-11", "2", "Starptautiskās programmas"),
            ("2023-05-16", "2", "Partneru meklēšana"),
        ],
        [("esf", "2023-05-23"), ("erasmus", "2023-05-23")],
        [
            App(
                "esf", "Zaļās prasmes jauniešiem bez darba", "social", 120000, 108000, "2023-06-27"
            ),
            App(
                "erasmus", "Ilgtspējīgas dzīves darbnīcas", "education", 48000, 48000, "2023-06-28"
            ),
        ],
        drafted="2023-06-28",
    ),
    Pilot(
        "Zaļo un Viedo Tehnoloģiju klasteris",
        "40008890128",
        "association",
        ["technology", "environment"],
        "janis",
        "2023-03-01",
        "2023-03-16",
        ["project_management", "international_partnerships"],
        [("2023-03-30", "3", "Lielo projektu vadība"), ("2023-04-27", "3", "Pārrobežu partneri")],
        [("interreg", "2023-05-05")],
        [
            App(
                "interreg",
                "Viedā ostas pilsēta: zaļo tehnoloģiju testa vide",
                "urban_environment",
                1180000,
                1003000,
                "2023-06-29",
            )
        ],
        drafted="2023-06-29",
    ),
    Pilot(
        "Fotast",
        "40008901239",
        "association",
        ["culture"],
        "anna",
        "2023-03-01",
        "2023-03-28",
        ["audience_development", "fundraising"],
        [("2023-04-13", "2", "Izstāžu finansēšana")],
        [("vkkf24", "2023-05-18")],
        [
            App(
                "vkkf24",
                "Liepāja objektīvā: fotoarhīva izstāde",
                "culture",
                26000,
                22000,
                "2023-06-21",
            )
        ],
        drafted="2023-06-22",
    ),
    Pilot(
        "Liepājas Restaurācijas biedrība",
        "40009012340",
        "association",
        ["culture", "heritage"],
        "anna",
        "2023-03-01",
        "2023-03-29",
        ["fundraising", "heritage_management"],
        [("2023-04-19", "2", "Mantojuma projekti"), ("2023-05-17", "1", "Budžeta plānošana")],
        [("vkkf24", "2023-05-24"), ("lvaf", "2023-05-24")],
        [
            App("vkkf24", "Koka logu restaurācijas skola", "heritage", 35000, 25000, "2023-06-26"),
            App(
                "lvaf",
                "Vēsturiskā pagalma atjaunošana",
                "urban_environment",
                40000,
                36000,
                "2023-06-27",
            ),
        ],
        drafted="2023-06-27",
    ),
    Pilot(
        "Radi Vidi Pats",
        "40009123451",
        "association",
        ["urban_environment"],
        "janis",
        "2023-03-01",
        "2023-03-24",
        ["community_engagement", "fundraising"],
        [("2023-04-20", "2", "Apkaimju iesaiste"), ("2023-05-25", "1", "Pašvaldības konkursi")],
        [("lpp", "2023-05-30")],
        [App("lpp", "Kopienas dārzs Jaunliepājā", "urban_environment", 22000, 10000, "2023-06-28")],
        drafted="2023-06-29",
    ),
]

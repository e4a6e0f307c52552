{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "iam:PassRole",
      "Resource": "arn:aws:iam::${account_id}:role/%{ if environment == "prod" }release%{ else }sandbox%{ endif }/*"
    }
  ]
}

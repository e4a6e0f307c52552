# An Elastic Beanstalk environment whose settings come from a local list through a `dynamic` block
# (the instance profile in a block of its own): the ServiceRole element names a role trusting
# Elastic Beanstalk, the IamInstanceProfile setting a profile whose role trusts EC2. Nothing to
# report; the other settings pass no role.
resource "aws_iam_role" "service" {
  name = "api-eb-service"
  path = "/eb/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "elasticbeanstalk.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "instance" {
  name = "api-eb-instance"
  path = "/eb/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_instance_profile" "instance" {
  name = "api-eb-instance"
  role = aws_iam_role.instance.name
}

locals {
  settings = [
    { namespace = "aws:autoscaling:launchconfiguration", name = "InstanceType", value = "t3.medium" },
    { namespace = "aws:elasticbeanstalk:environment", name = "ServiceRole", value = aws_iam_role.service.name },
    { namespace = "aws:elasticbeanstalk:environment", name = "LoadBalancerType", value = "application" },
  ]
}

resource "aws_elastic_beanstalk_environment" "api" {
  name                = "api-prod"
  application         = "api"
  solution_stack_name = "64bit Amazon Linux 2023 v4.0.0 running Python 3.11"

  setting {
    namespace = "aws:autoscaling:launchconfiguration"
    name      = "IamInstanceProfile"
    value     = aws_iam_instance_profile.instance.name
  }

  dynamic "setting" {
    for_each = local.settings
    content {
      namespace = setting.value.namespace
      name      = setting.value.name
      value     = setting.value.value
    }
  }
}
